// `pod config`'s model: what `docker compose config` prints for the same file.
import { describe, expect, it } from "vitest";
import { composeConfig } from "../../../src/compose/config.js";

const FILE = "/srv/shop/compose.yaml";

function config(yaml: string, files: Record<string, string> = {}, env: Record<string, string> = {}) {
  return composeConfig({ path: FILE, text: yaml, projectName: null, services: [], env: { HOME: "/home/me", ...env }, readFile: (p) => files[p] ?? null }).model;
}

describe("composeConfig", () => {
  it("names the project, resolves the default network, writes long forms and absolute paths (compose's TestConfig)", () => {
    const yaml = [
      "services:",
      "  web:",
      "    image: web:${TAG:-1}",
      "    command: serve --port 80",
      "    ports: ['8080:80']",
      "    environment: [A=1]",
      "    env_file: app.env",
      "    volumes: [./static:/srv:ro, data:/data, /cache]",
      "    depends_on: [db]",
      "    dns: 10.0.0.2",
      "  db:",
      "    image: db",
      "    networks: [back]",
      "    secrets: [pw]",
      "networks:",
      "  back: {internal: true}",
      "volumes:",
      "  data:",
      "secrets:",
      "  pw: {file: ./pw.txt}",
    ].join("\n");
    expect(config(yaml, { "/srv/shop/app.env": "B=2", "/srv/shop/pw.txt": "x" })).toEqual({
      name: "shop",
      services: {
        db: { image: "db", networks: { back: null }, secrets: [{ source: "pw" }] },
        web: {
          command: ["serve", "--port", "80"],
          depends_on: { db: { condition: "service_started", required: true } },
          dns: ["10.0.0.2"],
          environment: { B: "2", A: "1" },
          image: "web:1",
          networks: { default: null },
          ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }],
          volumes: [
            { type: "bind", source: "/srv/shop/static", target: "/srv", read_only: true, bind: { create_host_path: true } },
            { type: "volume", source: "data", target: "/data", volume: {} },
            { type: "volume", target: "/cache" },
          ],
        },
      },
      networks: { back: { name: "shop_back", internal: true }, default: { name: "shop_default" } },
      volumes: { data: { name: "shop_data" } },
      secrets: { pw: { name: "shop_pw", file: "/srv/shop/pw.txt" } },
    });
  });

  it("keeps the keys in Compose's order, x- extensions after", () => {
    const model = config("x-top: 1\nname: n\nservices:\n  web:\n    user: u\n    image: web\n    x-pod: {replicas: 2}\n    command: [a]\n");
    expect(Object.keys(model)).toEqual(["name", "services", "networks", "x-top"]);
    expect(Object.keys((model["services"] as Record<string, object>)["web"]!)).toEqual(["command", "image", "networks", "user", "x-pod"]);
  });
});
