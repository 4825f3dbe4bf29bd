// How a pod's log lines read: each prefixed by its replica's name, padded, and coloured per
// replica on a terminal (as compose does). Node's own styleText: no colour library needed.
import { styleText } from "node:util";
import type { PodLogLine } from "../watch/logs.js";

const COLOURS = ["cyan", "yellow", "green", "magenta", "blue", "red"] as const;

export interface LogFormat {
  /** The widest container name, for alignment. */
  width: number;
  timestamps: boolean;
  colour: boolean;
}

export function formatLogLine(line: PodLogLine, f: LogFormat): string {
  const name = line.container.padEnd(f.width);
  const prefix = f.colour ? styleText(COLOURS[(line.number - 1 + COLOURS.length) % COLOURS.length]!, `${name} |`) : `${name} |`;
  return `${prefix} ${f.timestamps && line.stamp ? `${line.stamp} ` : ""}${line.text}`;
}
