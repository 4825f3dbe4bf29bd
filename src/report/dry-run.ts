// What a dry run prints: the decision the real run would act on — the generation, what
// changes field by field (env as keys only), the plan, the outage, and the refusal if any.
import { formatPlan, stepLines } from "../plan/actions.js";
import type { Decision } from "../plan/decide.js";
import { diffSpecs, formatDiff } from "../podspec/diff.js";
import type { ObservedPod } from "../state/observe.js";

export function dryRunText(decision: Decision, observed: ObservedPod, recreate: boolean): string {
  const pod = decision.pod;
  if (decision.desired === null) {
    if (decision.isNew) return `no pod named ${pod}: nothing to remove`;
    return `${formatPlan(decision.plan)}\nthen its record (${observed.recordCopies.length} containers)`;
  }
  const diff = diffSpecs(observed.record?.spec ?? null, decision.desired);
  const head = decision.isNew
    ? `pod ${pod} would be created`
    : decision.changed
      ? `pod ${pod}: generation ${observed.record?.generation} → ${decision.generation}`
      : `pod ${pod}: spec unchanged (generation ${decision.generation})`;
  return [
    head,
    ...(diff.length > 0 && !decision.isNew ? ["changes:", ...formatDiff(diff)] : []),
    "plan:",
    ...formatPlan(decision.plan)
      .split("\n")
      .map((l) => `  ${l}`),
    ...(decision.plan.outage ? [`outage: the pod stops serving while its sandbox is recreated (${decision.plan.outage})${recreate ? "" : "; refused without --recreate"}`] : []),
  ].join("\n");
}

export function dryRunJson(decision: Decision, observed: ObservedPod): object {
  return {
    pod: decision.pod,
    dryRun: true,
    isNew: decision.isNew,
    generation: decision.generation,
    changes: decision.desired ? diffSpecs(observed.record?.spec ?? null, decision.desired) : [],
    plan: decision.plan.steps.map((step, i) => ({ step: i + 1, actions: stepLines(step) })),
    outage: decision.plan.outage,
    refused: decision.refusal ? decision.refusal.message : null,
  };
}
