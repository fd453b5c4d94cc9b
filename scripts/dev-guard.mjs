// The dev loop's last line of defence (started by scripts/dev.mjs, never by hand): it outlives dev.mjs only to
// stop what dev.mjs started when dev.mjs itself cannot (SIGKILL, a crash). dev.mjs sends one line per child on
// this process's stdin, `group <pid>` for a process group it leads (nest's compiler, node --watch and the app
// under it) or `postgres <pid>` for the database's postmaster. When stdin closes, whoever closed it, every
// group gets SIGTERM (then SIGKILL after STOP_GRACE_MS) and the postmaster SIGINT (PostgreSQL's fast
// shutdown), then the guard exits. It runs in its own session, so a terminal's Ctrl-C or hang-up reaches it
// only through dev.mjs.
const STOP_GRACE_MS = 5_000;
const groups = new Set();
const postmasters = new Set();

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const send = (pid, signal) => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const [kind, pid] = line.trim().split(/\s+/);
    if (!/^\d+$/.test(pid ?? '')) continue;
    if (kind === 'group') groups.add(Number(pid));
    else if (kind === 'postgres') postmasters.add(Number(pid));
  }
});

let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const pid of groups) send(-pid, 'SIGTERM');
  for (const pid of postmasters) send(pid, 'SIGINT');
  const deadline = Date.now() + STOP_GRACE_MS;
  const remaining = () => [...groups].filter((pid) => alive(-pid)).length + [...postmasters].filter(alive).length;
  while (remaining() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of groups) send(-pid, 'SIGKILL');
  for (const pid of postmasters) if (alive(pid)) send(pid, 'SIGQUIT'); // immediate shutdown, no checkpoint
  process.exit(0);
}

process.stdin.on('end', stopAll);
process.stdin.on('error', stopAll);
process.on('SIGTERM', stopAll);
for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => undefined);
