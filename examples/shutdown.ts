/**
 * How the example services stop: once, on SIGTERM or SIGINT, or when stdin closes if asked to
 * (`--exit-with-stdin`: a parent, such as a demo or a test, that dies takes the service along).
 */
export function onShutdown(stop: () => Promise<void>, exitWithStdin: boolean): void {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    void stop();
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
  if (exitWithStdin) {
    process.stdin.on('end', once);
    process.stdin.on('error', once);
    process.stdin.resume();
  }
}
