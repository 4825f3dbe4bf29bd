import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { agentHealth, agentLogTail } from "../agent/health.js";
import { Agent, DEFAULT_AGENT_OPTIONS } from "../agent/loop.js";
import { AGENT_LABEL, AGENT_MEMORY, agentState, dockerConfigDir, AGENT_NAME, startAgent, stopAgent, systemdUnit } from "../agent/install.js";
import { checkoutRoot } from "../checkout.js";
import type { Deps, RunState } from "./shared/deps.js";
import { numeric } from "./shared/options.js";
import { UsageError } from "../errors.js";
import { formatAge } from "../report/format.js";

interface AgentArgs {
  action: string;
  follow: boolean;
  tail?: string;
  json: boolean;
  host?: string;
  context?: string;
}

const ACTIONS = ["start", "stop", "status", "logs", "run", "systemd"];
/** In its container, the agent exits (and the engine starts it again) after this long without the engine. */
const DEAF_EXIT_MS = 3000;

export function agentCommand(deps: Deps, state: RunState): CommandModule<object, AgentArgs> {
  return {
    command: "agent <action>",
    describe: "The pod agent, which keeps every pod as recorded: start, stop, status, logs, run (foreground), systemd (a unit file)",
    builder: (y) =>
      (y
        .positional("action", { type: "string", choices: ACTIONS, demandOption: true })
        .option("follow", { type: "boolean", alias: "f", default: false, describe: "logs: keep following" })
        .option("tail", numeric("logs: only the last N lines"))
        .option("json", { type: "boolean", default: false, describe: "status: as JSON" })
        .example("$0 agent start", "run the agent as a container on the engine (pod up does it for you)")
        .example("$0 agent logs -f", "every decision it makes, one line each")
        .example("$0 agent systemd > /etc/systemd/system/pod-agent.service", "run it under systemd instead") as unknown) as Argv<AgentArgs>,
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "document" : "human"));
      const engine = deps.engine(args);
      if (args.action === "systemd") {
        const bin = realpathSync(join(checkoutRoot(), "bin", "pod"));
        // For the engine pod talks to now: Docker's unit, or Podman's socket (and its address).
        const kind = (await engine.info().catch(() => null))?.engine ?? "docker";
        return reporter.result(systemdUnit(bin, { kind, address: engine.address }));
      }
      switch (args.action) {
        case "run": {
          if (deps.environ.POD_AGENT === "0") throw new UsageError("POD_AGENT=0 turns the agent off", "unset POD_AGENT to run it");
          const stop = new AbortController();
          deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
          // In its container the socket is a bind mount: a replaced socket file is reached only by a restart.
          const options = { ...DEFAULT_AGENT_OPTIONS, exitWhenDeafMs: deps.environ.POD_AGENT_IN_CONTAINER === "1" ? DEAF_EXIT_MS : null };
          const agent = new Agent({ engine, probes: deps.probes(engine), auth: deps.auth, clock: deps.clock, signal: stop.signal, log: (line) => reporter.result(line) }, options);
          await agent.run();
          return reporter.result(`${new Date(deps.clock.now()).toISOString()} agent: stopped`);
        }
        case "start": {
          const what = await startAgent(engine, (text) => reporter.note(text), dockerConfigDir(deps.environ));
          return reporter.result(what === "already running" ? `the agent (${AGENT_NAME}) is already running` : `the agent (${AGENT_NAME}) ${what}: it keeps every pod on ${engine.address} as recorded`);
        }
        case "stop":
          return reporter.result((await stopAgent(engine)) ? `the agent (${AGENT_NAME}) stopped and removed` : "the agent is not running");
        case "status": {
          const now = await agentState(engine);
          if (now.state === "absent") return reporter.result("the agent is not running (`pod agent start`, or any `pod up`, starts it)", { state: "absent" });
          if (now.state === "foreign") return reporter.result(`a container named ${AGENT_NAME} that pod did not make is in the agent's place`, { state: "foreign" });
          const health = agentHealth(now.info, await agentLogTail(engine, now.info.id), await engine.pastEvents([AGENT_LABEL], now.info.created).catch(() => []));
          const json = { state: now.state, image: now.info.image, current: now.current, startedAt: new Date(now.info.startedAt).toISOString(), restarts: now.info.restartCount, ...health };
          const up = now.state === "running" ? `, up ${formatAge((deps.clock.now() - now.info.startedAt) / 1000)}` : "";
          const lines = [
            `the agent is ${now.state}${health.deafSince ? `, but has not reached the engine since ${health.deafSince}` : ""}: ${AGENT_NAME}, image ${now.info.image}${now.current ? "" : " (older than this pod: `pod agent start` updates it)"}${up}, ${now.info.restartCount} restarts`,
            ...(health.oomKills > 0 ? [`it was killed out of memory ${health.oomKills} time${health.oomKills > 1 ? "s" : ""} (its limit: ${Math.round(AGENT_MEMORY / 2 ** 20)} MiB)${health.lastExit ? `; last exit: ${health.lastExit}` : ""}`] : health.lastExit ? [`last exit: ${health.lastExit}`] : []),
          ];
          return reporter.result(lines.join("\n"), json);
        }
        case "logs": {
          const now = await agentState(engine);
          if (now.state !== "running" && now.state !== "stopped") throw new UsageError("the agent is not on this engine", "`pod agent start` starts it");
          const tail = args.tail === undefined ? null : Number(args.tail);
          if (tail !== null && !(Number.isInteger(tail) && tail >= 0)) throw new UsageError(`--tail ${args.tail} is not a number of lines`, "give a whole number");
          const stop = new AbortController();
          deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
          for await (const line of engine.logs(now.info.id, { follow: args.follow, tail, since: null }, stop.signal)) reporter.result(line.text);
          return;
        }
      }
    },
  };
}

