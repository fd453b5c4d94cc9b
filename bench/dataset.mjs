// Loads N books in one INSERT … SELECT generate_series, with titles, authors and descriptions drawn from
// word lists (seeded, so every run loads the same books). About 30,000 distinct authors and a few hundred
// thousand distinct titles make `?q=` selectivity plausible: a common word matches about 1 % of the rows,
// a surname about 0.5 %, a full author name a few rows per million.
import pg from 'pg';

export const FIRST_NAMES = [
  'Ada', 'Ahmed', 'Aiko', 'Alan', 'Alice', 'Amara', 'Anders', 'Ann', 'Arturo', 'Astrid', 'Beatriz', 'Ben', 'Bjorn', 'Carmen',
  'Chen', 'Chidi', 'Claire', 'Dara', 'David', 'Deepa', 'Diego', 'Dmitri', 'Elena', 'Elif', 'Emeka', 'Emma', 'Farah', 'Felix',
  'Fatima', 'Gabriel', 'Grace', 'Hana', 'Hassan', 'Helen', 'Hiro', 'Ines', 'Ingrid', 'Isaac', 'Ivan', 'Jamal', 'Jane', 'Javier',
  'Jin', 'Joan', 'Jonas', 'Julia', 'Kai', 'Kamala', 'Karim', 'Kenji', 'Lars', 'Laura', 'Leila', 'Leo', 'Lin', 'Lucia', 'Luis',
  'Maya', 'Mei', 'Mira', 'Mohammed', 'Nadia', 'Nia', 'Nikolai', 'Noor', 'Olga', 'Omar', 'Oscar', 'Paolo', 'Priya', 'Rafael',
  'Rana', 'Ravi', 'Rosa', 'Ruth', 'Sami', 'Sara', 'Sven', 'Tariq', 'Tomas', 'Ursula', 'Vera', 'Wei', 'Yara', 'Yusuf', 'Zara',
  'Zofia', 'Arjun', 'Bola', 'Cyrus', 'Dalia', 'Eitan', 'Freya', 'Goran', 'Hugo', 'Imani', 'Jorge', 'Keiko', 'Lena', 'Marek',
  'Nils', 'Ola', 'Pilar', 'Quentin', 'Rhea', 'Selin', 'Teodor', 'Uma', 'Viktor', 'Wanjiru', 'Xavier', 'Yuki', 'Zeynep',
  'Agnes', 'Bruno', 'Celia', 'Dorian', 'Esther', 'Fiona', 'Gustav', 'Hilda', 'Igor', 'Jasmin', 'Klaus', 'Lidia', 'Mateo',
  'Nora', 'Otto', 'Petra', 'Rolf', 'Sofia', 'Tove', 'Ulrich', 'Valeria', 'Walter', 'Ximena', 'Yosef', 'Zuri', 'Anouk',
  'Bernard', 'Chiara', 'Darius', 'Edith', 'Florian', 'Gemma', 'Henrik', 'Ilse', 'Jonah',
];
export const LAST_NAMES = [
  'Abara', 'Adeyemi', 'Alvarez', 'Andersen', 'Arai', 'Baptiste', 'Bauer', 'Becker', 'Bianchi', 'Bose', 'Brandt', 'Byrne',
  'Calloway', 'Castro', 'Chandra', 'Choi', 'Costa', 'Dahl', 'Das', 'Delacroix', 'Diaz', 'Dubois', 'Duarte', 'Eklund', 'Eze',
  'Falk', 'Fischer', 'Fontaine', 'Fujita', 'Garcia', 'Gomez', 'Grant', 'Gupta', 'Haddad', 'Hansen', 'Hartmann', 'Hayashi',
  'Hoffmann', 'Horvat', 'Huang', 'Ibrahim', 'Ikeda', 'Ivanova', 'Jansen', 'Jovanovic', 'Kahn', 'Kaur', 'Keller', 'Kim',
  'Kowalski', 'Kruger', 'Kuznetsov', 'Lambert', 'Larsen', 'Le Guin', 'Lehmann', 'Li', 'Lindqvist', 'Lopez', 'Lund', 'Mahmoud',
  'Marino', 'Martins', 'Mbeki', 'Meyer', 'Mendes', 'Moreau', 'Morrison', 'Mukherjee', 'Murakami', 'Nakamura', 'Navarro',
  'Ndiaye', 'Nguyen', 'Nielsen', 'Novak', 'Nowak', 'Obi', 'Odhiambo', 'Okafor', 'Okonkwo', 'Olsen', 'Ortega', 'Osei', 'Ozturk',
  'Park', 'Patel', 'Pereira', 'Petrov', 'Popescu', 'Quinn', 'Rahman', 'Ramos', 'Reyes', 'Richter', 'Rossi', 'Russo', 'Saito',
  'Salazar', 'Sandoval', 'Santos', 'Sato', 'Schmidt', 'Schneider', 'Sharma', 'Silva', 'Singh', 'Sokolov', 'Sorensen', 'Suzuki',
  'Svensson', 'Takahashi', 'Tanaka', 'Tan', 'Torres', 'Tran', 'Vargas', 'Varga', 'Vasquez', 'Vogel', 'Volkov', 'Wagner',
  'Wang', 'Watanabe', 'Weber', 'Wiśniewski', 'Wolf', 'Wong', 'Wu', 'Yamamoto', 'Yilmaz', 'Yoon', 'Zhang', 'Zhou', 'Zimmermann',
  'Achebe', 'Bergstrom', 'Carvalho', 'Dimitrov', 'Engel', 'Ferreira', 'Galloway', 'Halvorsen', 'Iyer', 'Jaramillo',
  'Kovacs', 'Lindgren', 'Moretti', 'Nakagawa', 'Oyelaran', 'Pirozzi', 'Quispe', 'Rasmussen', 'Szabo', 'Toivonen', 'Umarov',
  'Valdez', 'Wojcik', 'Xu', 'Yeboah', 'Zeller', 'Abbott', 'Blackwood', 'Crane', 'Dunmore', 'Everly', 'Fairweather', 'Goodwin',
  'Hawthorne', 'Ingram', 'Jessop', 'Kingsley', 'Lockhart', 'Merriweather', 'Northcott', 'Oakes', 'Penrose', 'Radcliffe',
  'Sinclair', 'Thorne', 'Underwood', 'Vance', 'Whitlock', 'Yardley',
];
export const ADJECTIVES = [
  'Silent', 'Hidden', 'Broken', 'Golden', 'Last', 'Forgotten', 'Burning', 'Quiet', 'Distant', 'Crimson', 'Winter', 'Summer',
  'Lost', 'Secret', 'Endless', 'Wild', 'Hollow', 'Bright', 'Dark', 'Little', 'Long', 'Restless', 'Shattered', 'Sleeping',
  'Wandering', 'Iron', 'Glass', 'Salt', 'Paper', 'Electric', 'Northern', 'Southern', 'Ancient', 'Invisible', 'Drowned',
  'Gentle', 'Bitter', 'Sweet', 'Stolen', 'Borrowed', 'Fading', 'Rising', 'Falling', 'Ordinary', 'Impossible', 'Strange',
  'Emerald', 'Velvet', 'Copper', 'Amber', 'Scarlet', 'Midnight', 'Morning', 'Evening', 'Painted', 'Frozen', 'Wounded',
  'Careful', 'Reckless', 'Patient',
];
export const NOUNS = [
  'River', 'Garden', 'House', 'Mountain', 'Sea', 'Empire', 'Kingdom', 'City', 'Forest', 'Island', 'Lighthouse', 'Orchard',
  'Library', 'Letter', 'Map', 'Clock', 'Mirror', 'Window', 'Door', 'Bridge', 'Road', 'Harbour', 'Tower', 'Wall', 'Machine',
  'Daughter', 'Son', 'Mother', 'Father', 'Sister', 'Brother', 'Widow', 'Stranger', 'Traveller', 'Queen', 'King', 'Thief',
  'Astronomer', 'Cartographer', 'Gardener', 'Physician', 'Translator', 'Witness', 'Promise', 'Silence', 'Storm', 'Winter',
  'Fire', 'Ash', 'Dust', 'Stone', 'Bone', 'Feather', 'Thread', 'Song', 'Dream', 'Memory', 'Shadow', 'Light', 'Star', 'Moon',
  'Sun', 'Tide', 'Wind', 'Rain', 'Snow', 'Salt', 'Honey', 'Wolf', 'Fox', 'Raven', 'Whale', 'Horse', 'Bear', 'Hare', 'Owl',
  'Archive', 'Inheritance', 'Verdict', 'Harvest',
];
export const PLACES = [
  'Samarkand', 'Lisbon', 'Kyoto', 'Lagos', 'Valparaiso', 'Tromso', 'Zanzibar', 'Odessa', 'Tangier', 'Reykjavik', 'Cusco',
  'Trieste', 'Mandalay', 'Timbuktu', 'Havana', 'Alexandria', 'Petra', 'Kashgar', 'Hobart', 'Quebec', 'Dublin', 'Krakow',
  'Nairobi', 'Manila', 'Oaxaca', 'Tbilisi', 'Marrakesh', 'Bergen', 'Hanoi', 'Izmir', 'Goa', 'Madras', 'Avalon', 'Gethen',
  'Anarres', 'Earthsea', 'the North', 'the Marshes', 'the Coast', 'the Valley',
];
const THEMES = [
  'love and loss', 'war', 'exile', 'a family secret', 'the end of an empire', 'first contact', 'a disappearance',
  'a long journey home', 'an unlikely friendship', 'grief', 'ambition', 'betrayal', 'a stolen inheritance', 'a plague year',
  'revolution', 'a sea voyage', 'a murder', 'memory and forgetting', 'a failing marriage', 'growing up',
];

/** Words the search scenario looks for, from common to rare (see the header). */
export const SEARCH_TERMS = ['river', 'okafor', 'lisbon', 'the silent', 'ada okafor', 'mei lindgren'];

const pick = (param, length) => `($${param}::text[])[1 + floor(random() * ${length})::int]`;

/**
 * Inserts `count` books. The secondary indexes are dropped for the load and rebuilt from their own
 * definitions afterwards (much faster than maintaining a trigram index row by row), then ANALYZE.
 */
export async function loadBooks(connection, count, { log = () => {} } = {}) {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const { rows: indexes } = await client.query(
      `SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename = 'books'
          AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'books'::regclass)`,
    );
    for (const { indexname } of indexes) await client.query(`DROP INDEX "${indexname}"`);
    await client.query('SELECT setseed(0.42)');
    const started = performance.now();
    await client.query(
      `INSERT INTO books (title, author, description, isbn, created_at, updated_at)
       SELECT b.title, b.author, b.description,
              CASE WHEN g % 5 = 0 THEN NULL ELSE s.s12 || ((10 - c.sum % 10) % 10)::text END,
              b.created_at, b.created_at
         FROM generate_series(1, $6::int) AS g
         CROSS JOIN LATERAL (SELECT '978' || lpad(g::text, 9, '0') AS s12) s
         CROSS JOIN LATERAL (
           SELECT sum(substr(s.s12, k, 1)::int * CASE WHEN k % 2 = 1 THEN 1 ELSE 3 END) AS sum FROM generate_series(1, 12) k
         ) c
         CROSS JOIN LATERAL (
           SELECT CASE floor(random() * 5)::int
                    WHEN 0 THEN 'The ' || ${pick(1, ADJECTIVES.length)} || ' ' || ${pick(2, NOUNS.length)}
                    WHEN 1 THEN 'The ' || ${pick(2, NOUNS.length)} || ' of ' || ${pick(3, PLACES.length)}
                    WHEN 2 THEN ${pick(1, ADJECTIVES.length)} || ' ' || ${pick(2, NOUNS.length)} || 's'
                    WHEN 3 THEN 'A ' || ${pick(2, NOUNS.length)} || ' for the ' || ${pick(1, ADJECTIVES.length)} || ' ' || ${pick(2, NOUNS.length)}
                    ELSE ${pick(2, NOUNS.length)} || ' and ' || ${pick(2, NOUNS.length)}
                  END AS title,
                  ${pick(4, FIRST_NAMES.length)} || ' ' || ${pick(5, LAST_NAMES.length)} AS author,
                  'A ' || lower(${pick(1, ADJECTIVES.length)}) || ' novel about ' || ${pick(7, THEMES.length)} || ', set in '
                    || ${pick(3, PLACES.length)} || ' and told by a ' || lower(${pick(2, NOUNS.length)}) || '.' AS description,
                  now() - random() * interval '3650 days' AS created_at
            WHERE g IS NOT NULL
         ) b`,
      [ADJECTIVES, NOUNS, PLACES, FIRST_NAMES, LAST_NAMES, count, THEMES],
    );
    log(`inserted ${count} books in ${Math.round(performance.now() - started)} ms`);
    const indexed = performance.now();
    for (const { indexdef } of indexes) await client.query(indexdef);
    await client.query('VACUUM (ANALYZE) books');
    log(`rebuilt ${indexes.length} indexes and analysed in ${Math.round(performance.now() - indexed)} ms`);
  } finally {
    await client.end();
  }
}
