// The dashboard in headless Chromium against two cluster nodes on this machine (routes on
// 127.0.0.1), each running a gateway: each node's state names its own node's gateway (a shared
// bus subject could have named the other's), the actors table gets a node column, one row per
// node and actor, and a row's restart button restarts that node's instance alone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.ts";
import { TWO_NODES, startTwoNodes, type TwoNodeName, type TwoNodes } from "../helpers/cluster-nodes.ts";
import { listensOn } from "../helpers/processes.ts";
import { waitFor } from "../helpers/wait-for.ts";

describe("dashboard of a cluster", () => {
  let cluster: TwoNodes;
  let browser: Browser;
  let page: Page;

  // A gateway whose first start failed (a loaded machine; the supervisor revives it) is named
  // in the state file once it is ready, after the hub's first state file.
  const gatewayOf = (node: TwoNodeName) =>
    waitFor(`node ${node}'s state file to name its gateway`, () => cluster.hub(node).currentState().gatewayUrl, 60_000).catch((error: Error) => {
      const said = cluster.hub(node).output().split("\n").filter((line) => line.includes("gateway"));
      throw new Error(`${error.message}\nnode ${node}'s lines about its gateway:\n${said.slice(-15).join("\n")}`);
    });

  beforeAll(async () => {
    cluster = await startTwoNodes({ greeter: "whoami" }, { gateways: "every node" });
    await cluster.oneOnEach("greeter");
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${await gatewayOf("a")}/dashboard`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  it("names each node's own gateway in its state file", async () => {
    const gateways = await cluster.oneOnEach("gateway");
    const urls = await Promise.all(TWO_NODES.map(gatewayOf));
    expect(new Set(urls).size).toBe(2);
    for (const [i, node] of TWO_NODES.entries()) {
      const port = Number(new URL(urls[i]!).port);
      expect(listensOn(gateways[node]![0]!, port), `${node}'s gateway listens on ${urls[i]}`).toBe(true);
    }
  });

  const row = (node: string) => page.locator(`tr[data-actor="greeter"][data-node="${node}"]`);

  it("shows a node column and one row per node with that node's instances", async () => {
    await row("a").waitFor({ timeout: 15_000 });
    await row("b").waitFor({ timeout: 15_000 });
    expect(await page.locator("#node-head").isVisible()).toBe(true);
    expect(await page.locator("#actors thead th").first().textContent()).toBe("node");
    for (const node of ["a", "b"]) {
      expect(await row(node).locator('td[data-field="node"]').textContent()).toBe(node);
      await expect.poll(() => row(node).locator('td[data-field="instances"]').textContent(), { timeout: 15_000 }).toBe("1/1");
    }
  });

  it("restarts only the row's node from its restart button", async () => {
    const before = await cluster.oneOnEach("greeter");
    await row("b").locator('button[data-action="restart"]').click();
    await expect.poll(async () => (await cluster.pidsOf("greeter")).b?.[0], { timeout: 30_000 }).not.toBe(before.b![0]);
    const after = await cluster.oneOnEach("greeter");
    expect(after.a).toEqual(before.a);
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 15_000 }).toContain("restart greeter on b");
  });
});
