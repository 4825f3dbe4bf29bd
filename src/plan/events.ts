// What applying a plan tells the reporter as it goes: each action's start, progress, end or
// failure, and notes and warnings. Plain data, so reporters need nothing of the executor.
import type { PullProgress } from "../engine/types.js";
import type { PodError } from "../errors.js";
import type { Action } from "./actions.js";

export type ExecEvent =
  | { type: "action-start"; action: Action; step: number }
  | { type: "action-progress"; action: Action; step: number; text: string }
  | { type: "action-done"; action: Action; step: number; ms: number }
  | { type: "action-failed"; action: Action; step: number; ms: number; error: PodError };

export type FlowEvent =
  | ExecEvent
  | { type: "note"; text: string }
  | { type: "warn"; text: string }
  /** One line of an image pull's progress, as the engine streams it. */
  | { type: "pull"; image: string; progress: PullProgress };
