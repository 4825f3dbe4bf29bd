import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { Agent } from "../agent/loop.js";
import { agentState, AGENT_NAME, startAgent, stopAgent, systemdUnit } from "../agent/install.js";
import { checkoutRoot } from "../apply/images.js";
import type { Deps, RunState } from "../cli/deps.js";
import { numeric } from "../cli/options.js";
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
      if (args.action === "systemd") {
        const bin = realpathSync(join(checkoutRoot(), "bin", "pod"));
        return reporter.result(systemdUnit(bin));
      }
      const engine = deps.engine(args);
      switch (args.action) {
        case "run": {
          if (deps.environ.POD_AGENT === "0") throw new UsageError("POD_AGENT=0 turns the agent off", "unset POD_AGENT to run it");
          const stop = new AbortController();
          deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
          const agent = new Agent({ engine, clock: deps.clock, signal: stop.signal, log: (line) => reporter.result(line) });
          await agent.run();
          return reporter.result(`${new Date(deps.clock.now()).toISOString()} agent: stopped`);
        }
        case "start": {
          const what = await startAgent(engine, (text) => reporter.note(text));
          return reporter.result(what === "already running" ? `the agent (${AGENT_NAME}) is already running` : `the agent (${AGENT_NAME}) ${what}: it keeps every pod on ${engine.address} as recorded`);
        }
        case "stop":
          return reporter.result((await stopAgent(engine)) ? `the agent (${AGENT_NAME}) stopped and removed` : "the agent is not running");
        case "status": {
          const now = await agentState(engine);
          const json = now.state === "absent" || now.state === "foreign" ? { state: now.state } : { state: now.state, image: now.info.image, current: now.current, startedAt: new Date(now.info.startedAt).toISOString(), restarts: now.info.restartCount };
          const text =
            now.state === "absent"
              ? "the agent is not running (`pod agent start`, or any `pod up`, starts it)"
              : now.state === "foreign"
                ? `a container named ${AGENT_NAME} that pod did not make is in the agent's place`
                : `the agent is ${now.state}: ${AGENT_NAME}, image ${now.info.image}${now.current ? "" : " (older than this pod: `pod agent start` updates it)"}, up ${formatAge((deps.clock.now() - now.info.startedAt) / 1000)}, ${now.info.restartCount} restarts`;
          return reporter.result(text, json);
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

