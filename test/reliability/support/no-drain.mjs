// Negative control for the graceful-shutdown test: loaded with `node --import`, it stops the service from
// installing its SIGTERM/SIGINT handlers, so a signal kills the process at once (as if drainOnSignals or
// enableShutdownHooks were missing). The shutdown test must then see dropped requests.
const once = process.once.bind(process);
process.once = (event, listener) => (event === 'SIGTERM' || event === 'SIGINT' ? process : once(event, listener));
