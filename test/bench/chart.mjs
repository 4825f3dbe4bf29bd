// The throughput table (stdout) and its chart (an SVG file): req/s of each row and its
// ratio to host processes, with the issue's targets checked.
import { readFileSync, writeFileSync } from "node:fs";

const [tsv, svgPath, replicas, conns] = process.argv.slice(2);
const rows = readFileSync(tsv, "utf8").trim().split("\n").map((l) => {
  const [name, rps] = l.split("\t");
  return { name, rps: Number(rps) || 0 };
});
const base = rows[0].rps;
const find = (prefix) => rows.find((r) => r.name.startsWith(prefix))?.rps ?? 0;
const nginx = find("nginx");
const targets = {
  "pod --network host": ["≥ 0.95× host processes", find("pod --network host") >= 0.95 * base],
  "pod, published port, outside client": ["≥ 2.5× nginx", find("pod, published port") >= 2.5 * nginx],
  "pod --balance dnat, outside client": ["≥ 2× nginx", find("pod --balance dnat") >= 2 * nginx],
};

console.log(`\nThroughput, wrk -t2 -c${conns}, ${replicas} replicas, tiny answers, the same server binary everywhere (one run)`);
console.log(`| ${"path".padEnd(44)} | ${"req/s".padStart(9)} | ${"× host".padStart(6)} | target |`);
console.log(`|${"-".repeat(46)}|${"-".repeat(11)}|${"-".repeat(8)}|--------|`);
for (const r of rows) {
  const t = targets[r.name];
  console.log(`| ${r.name.padEnd(44)} | ${r.rps.toFixed(0).padStart(9)} | ${(r.rps / base).toFixed(2).padStart(6)} | ${t ? `${t[0]}: ${t[1] ? "met" : "MISSED"}` : ""}`);
}

// A horizontal bar chart: one bar per row, its ratio written at its end.
const W = 760, rowH = 30, left = 300, top = 40, barMax = W - left - 90;
const max = Math.max(...rows.map((r) => r.rps), 1);
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const bars = rows.map((r, i) => {
  const y = top + i * rowH;
  const w = Math.max(1, (r.rps / max) * barMax);
  const colour = r.name.startsWith("pod") ? "#2b7bb9" : "#9aa5b1";
  return [
    `<text x="${left - 8}" y="${y + 19}" text-anchor="end">${esc(r.name)}</text>`,
    `<rect x="${left}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${colour}"/>`,
    `<text x="${left + w + 6}" y="${y + 19}">${(r.rps / 1000).toFixed(1)}k (${(r.rps / base).toFixed(2)}×)</text>`,
  ].join("");
});
const H = top + rows.length * rowH + 20;
writeFileSync(
  svgPath,
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${W / 2}" y="22" text-anchor="middle" font-weight="bold">Requests per second, ${replicas} replicas, wrk -c${conns} (ratio to host processes)</text>` +
    bars.join("") +
    `</svg>\n`,
);
console.log(`(chart: ${svgPath})`);
