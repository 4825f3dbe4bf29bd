// How the agent is doing, as `pod agent status` says it: whether it hears the engine (from its
// own log's transition lines), how often it was killed out of memory and how it last exited
// (from the engine's events for its container). Pure, but for reading its log's tail.
import type { EventClient } from "../engine/engine.js";
import type { ContainerInfo, EngineEvent } from "../engine/types.js";
import { AGENT_DEAF, AGENT_HEARS } from "./loop.js";

export interface AgentHealth {
  /** ISO time since which the agent has not reached the engine, by its own log; null: it does. */
  deafSince: string | null;
  /** How often the kernel killed it out of memory, by the engine's recent events. */
  oomKills: number;
  /** Its last exit, in words, if it ever exited. */
  lastExit: string | null;
}

/** The agent's last lines: enough to find its last word on the engine. */
export async function agentLogTail(engine: EventClient, id: string): Promise<string[]> {
  return engine.logTail(id, 200).catch(() => []);
}

export function agentHealth(info: ContainerInfo, logTail: string[], events: EngineEvent[]): AgentHealth {
  let deafSince: string | null = null;
  for (const line of logTail) {
    if (line.includes(`agent: ${AGENT_DEAF}`)) deafSince = line.split(" ")[0] ?? null;
    else if (line.includes(`agent: ${AGENT_HEARS}`) || line.includes("agent: watching the pods")) deafSince = null;
  }
  const mine = events.filter((e) => e.id === info.id);
  const oomKills = mine.filter((e) => e.action === "oom").length;
  const lastDie = [...mine].reverse().find((e) => e.action === "die");
  const code = lastDie ? Number(lastDie.attributes.exitCode ?? "") : info.finishedAt > 0 ? info.exitCode : null;
  const lastExit = code === null || Number.isNaN(code) ? null : `exit code ${code}${code === 137 && (oomKills > 0 || info.oomKilled) ? ", killed out of memory" : ""}`;
  return { deafSince, oomKills: Math.max(oomKills, info.oomKilled ? 1 : 0), lastExit };
}
