// The balance mode of a pod's network: the one lookup of the mode's strategy.
import type { NetworkSpec } from "../podspec/types.js";
import { dnat } from "./dnat.js";
import { host } from "./host.js";
import type { BalanceMode } from "./mode.js";
import { reuseport } from "./reuseport.js";

const MODES: Record<NetworkSpec["balance"], BalanceMode> = { reuseport, dnat, host };

export function modeOf(network: Pick<NetworkSpec, "balance"> | null | undefined): BalanceMode {
  return MODES[network?.balance ?? "reuseport"] ?? reuseport;
}

export type { BalanceMode, EngineFacts, Placement } from "./mode.js";
