// The entry point of bin/pod. Ctrl-C or SIGTERM asks the command to stop between steps (a
// change is then put back as it was); twice, it quits at once. A terminal that goes away
// (SIGHUP) or a closed pipe never stops a change.
import { defaultDeps, type InterruptLines } from "./commands/shared/deps.js";
import { run } from "./cli/parser.js";

export async function main(argv: string[]): Promise<void> {
  const abort = new AbortController();
  // Set by a changing command: what Ctrl-C does to it, said when it comes.
  let lines: InterruptLines | null = null;
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      if (lines) process.stderr.write(`\n${lines.second}\n`);
      process.exit(130);
    }
    if (lines) process.stderr.write(`\n${lines.first}\n`, () => undefined);
    abort.abort();
  };
  const ignore = (): void => undefined;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", ignore);
  process.exitCode = await run(
    argv,
    defaultDeps(abort.signal, (said) => {
      lines = said;
    }),
  );
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", ignore);
}

await main(process.argv.slice(2));
