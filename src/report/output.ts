// Where text goes. Output never decides a change: a closed pipe (EPIPE), a terminal gone
// away or a reader that stopped reading only loses text, never stops the command.
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let broken = false;
  // EPIPE and friends arrive as 'error' events: without a listener Node would crash.
  stream.on("error", () => {
    broken = true;
  });
  return (text) => {
    if (broken || stream.destroyed) return;
    try {
      stream.write(text.endsWith("\n") ? text : `${text}\n`);
    } catch {
      broken = true;
    }
  };
}

let shared: Output | null = null;

export function processOutput(): Output {
  shared ??= { out: writer(process.stdout), err: writer(process.stderr) };
  return shared;
}
