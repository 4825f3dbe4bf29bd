import type { CommandModule } from "yargs";
import type { Deps, RunState } from "./shared/deps.js";
import { formatTable } from "../report/format.js";
import { VERSION } from "../version.js";

interface VersionArgs {
  json: boolean;
  host?: string;
  context?: string;
}

export function versionCommand(deps: Deps, state: RunState): CommandModule<object, VersionArgs> {
  return {
    command: "version",
    describe: "pod's version, and the engine's",
    builder: (y) => y.option("json", { type: "boolean", default: false, describe: "As JSON" }).example("$0 version", "client and engine"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "document" : "human"));
      const engine = deps.engine(args);
      const client = { version: VERSION, node: process.version, os: `${process.platform}/${process.arch}` };
      const info = await engine.info();
      const server = { address: engine.address, version: info.serverVersion, apiVersion: info.apiVersion, kernel: info.kernelVersion, os: info.os };
      reporter.result(
        formatTable([
          ["", "VERSION", "DETAILS"],
          ["client", client.version, `node ${client.node}, ${client.os}`],
          ["engine", server.version, `API ${server.apiVersion}, kernel ${server.kernel}, ${server.os}, at ${server.address}`],
        ]),
        { client, engine: server },
      );
    },
  };
}
