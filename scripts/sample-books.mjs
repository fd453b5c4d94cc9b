// Sample data for `npm run seed`. ISBN check digits are computed, so every ISBN passes validation.
const BOOKS = [
  ['The Left Hand of Darkness', 'Ursula K. Le Guin', 'A human envoy on a planet whose people have no fixed sex.', '978044147812'],
  ['The Dispossessed', 'Ursula K. Le Guin', 'A physicist travels between an anarchist moon and its capitalist planet.', '978006051275'],
  ['Dune', 'Frank Herbert', 'Politics, religion and ecology on the desert planet Arrakis.', '978044117271'],
  ['Neuromancer', 'William Gibson', 'A washed-up hacker is hired for one last job.', '978044156959'],
  ['Foundation', 'Isaac Asimov', 'A mathematician foresees the fall of a galactic empire.', '978055338257'],
  ['Kindred', 'Octavia E. Butler', 'A writer is pulled back in time to a Maryland plantation.', '978080708369'],
  ['The Book of the New Sun', 'Gene Wolfe', 'A torturer’s apprentice walks across a dying Earth.', '978031289017'],
  ['Hyperion', 'Dan Simmons', 'Seven pilgrims tell their tales on the way to the Time Tombs.', '978055328368'],
  ['Solaris', 'Stanisław Lem', 'Scientists study a planet-wide ocean that studies them back.', '978015602760'],
  ['The Player of Games', 'Iain M. Banks', 'A game player is sent to an empire built on a game.', '978031600538'],
  ['A Wizard of Earthsea', 'Ursula K. Le Guin', 'A young mage unleashes a shadow and must hunt it.', '978054772202'],
  ['Parable of the Sower', 'Octavia E. Butler', 'A young woman founds a new faith amid collapse.', '978153871732'],
];

function isbn13(first12) {
  const sum = [...first12].reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 1 : 3), 0);
  return first12 + ((10 - (sum % 10)) % 10);
}

export const sampleBooks = BOOKS.map(([title, author, description, prefix]) => ({ title, author, description, isbn: isbn13(prefix) }));
