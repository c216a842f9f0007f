// Issue 18 points 10 and 12: the dashboard's database panel, driven in headless Chromium against a
// real hub with API keys: a table with its row count, its rows paged and filtered, a backup made
// and listed, rows changed and the backup restored (seen in the page and through db.select), a
// principal without the admin role refused in the page with the data untouched, and the panel at
// 400 px with no page overflow.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyFile, createApiKey } from "../../runtime/security/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { REPO, createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");
const POLL = { timeout: 15_000 };

interface Entry {
  id: number;
  writer: string;
  seq: number;
}
interface Backup {
  file: string;
  bytes: number;
  at: number;
}

describe("the dashboard's database panel", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let admin: Page;
  let adminKey: string;
  let viewerKey: string;
  let backup: Backup;
  // Uncaught errors in any page of the test: a refusal must be shown, never thrown.
  const pageErrors: string[] = [];

  // Every row of entries in id order, read through the db endpoint directly (as the admin bus identity).
  const entries = async () => (await hub.call<{ rows: Entry[] }>("db.select", { table: "entries", orderBy: "id", limit: 1000 })).rows;
  const backups = async () => (await hub.call<{ backups: Backup[] }>("db.backups")).backups;
  const asCells = (rows: Entry[]) => rows.map((r) => [String(r.id), r.writer, String(r.seq)]);

  async function signedIn(key: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${hub.state.gatewayUrl!}/dashboard`);
    await page.locator("#signin-key").fill(key);
    await page.locator("#signin button[type=submit]").click();
    await page.locator("#signout").waitFor({ state: "visible" });
    return page;
  }

  beforeAll(async () => {
    dir = createHubDir({ config: "gateway:\n  auth:\n    keys: true\n", actors: { writer: "writer" }, files: { "schemas/entries.json": "schemas/entries.json" } });
    adminKey = createApiKey(apiKeyFile(dir), { name: "ops", roles: ["admin"] }).key;
    viewerKey = createApiKey(apiKeyFile(dir), { name: "viewer", roles: ["viewer"] }).key;
    hub = await startHub(dir);
    // 30 rows: 23 written as "alpha", 7 as "beta", each with seq 0, 1, 2, …
    await hub.call("writer.steady", { n: 23, tag: "alpha" });
    await hub.call("writer.steady", { n: 7, tag: "beta" });
    browser = await launchChromium();
    admin = await signedIn(adminKey);
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const rowCount = (page: Page) => page.locator('#db-tables tr[data-table="entries"] [data-field=rows]').textContent();
  const range = (page: Page) => page.locator("#db-range").textContent();
  const shown = (page: Page) => page.evaluate<string[][]>(`[...document.querySelectorAll("#db-rows tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`);
  async function filter(page: Page, column: string, op: string, value: string): Promise<void> {
    await page.locator("#db-filter-column").selectOption(column);
    await page.locator("#db-filter-op").selectOption(op);
    await page.locator("#db-filter-value").fill(value);
    await page.locator("#db-filter button[type=submit]").click();
  }

  it("lists the table with its row count and columns", async () => {
    await expect.poll(() => rowCount(admin), POLL).toBe("30");
    expect(await admin.locator('#db-tables tr[data-table="entries"] [data-field=columns]').textContent()).toBe("id integer, writer text, seq integer");
    expect(await admin.locator("#db-table").inputValue()).toBe("entries");
  });

  it("pages through the rows: rows 1–10, then 11–20, then 21–30 with no next page", async () => {
    const all = asCells(await entries());
    expect(all).toHaveLength(30);
    await admin.locator("#db-page-size").selectOption("10");
    await expect.poll(() => range(admin), POLL).toBe("rows 1–10 of 30");
    expect(await admin.locator("#db-rows thead th").allTextContents()).toEqual(["id", "writer", "seq"]);
    expect(await shown(admin)).toEqual(all.slice(0, 10));
    expect(await admin.locator("#db-prev").isDisabled()).toBe(true);
    await admin.locator("#db-next").click();
    await expect.poll(() => range(admin), POLL).toBe("rows 11–20 of 30");
    expect(await shown(admin)).toEqual(all.slice(10, 20));
    await admin.locator("#db-next").click();
    await expect.poll(() => range(admin), POLL).toBe("rows 21–30 of 30");
    expect(await shown(admin)).toEqual(all.slice(20, 30));
    expect(await admin.locator("#db-next").isDisabled()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await admin.locator("#db-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-db.png") });
  });

  it("filters by a column and value: exactly the matching rows, typed by the column, and a refused value shown", async () => {
    const all = await entries();
    await filter(admin, "writer", "eq", "beta");
    await expect.poll(() => range(admin), POLL).toBe("rows 1–7 of 7");
    expect(await shown(admin)).toEqual(asCells(all.filter((r) => r.writer === "beta")));
    expect(await admin.locator("#db-filter-state").textContent()).toBe('filtered: writer = "beta"');
    // An integer column: the 3 typed is sent as a number.
    await filter(admin, "seq", "eq", "3");
    await expect.poll(() => range(admin), POLL).toBe("rows 1–2 of 2");
    expect(await shown(admin)).toEqual(asCells(all.filter((r) => r.seq === 3)));
    await filter(admin, "writer", "like", "lph");
    await expect.poll(() => range(admin), POLL).toBe("rows 1–10 of 23");
    // A value the column cannot hold: db.select's refusal names the column, and the page goes on.
    await filter(admin, "seq", "eq", "three");
    await expect.poll(() => admin.locator("#db-rows-error").textContent(), POLL).toBe('VALIDATION_FAILED: entries.seq: expected an integer, got "three"');
    expect(await shown(admin)).toEqual([]);
    await admin.locator("#db-filter-clear").click();
    await expect.poll(() => range(admin), POLL).toBe("rows 1–10 of 30");
    expect(await admin.locator("#db-rows-error").textContent()).toBe("");
  });

  it("sorts by a column's header: ascending, then descending, then in the table's order", async () => {
    const all = asCells(await entries());
    const header = admin.locator('#db-rows thead th[data-column="seq"] button');
    const bySeq = (dir: number) => [...all].sort((a, b) => dir * (Number(a[2]) - Number(b[2])) || Number(a[0]) - Number(b[0]));
    await header.click();
    await expect.poll(() => admin.locator('#db-rows thead th[data-column="seq"]').textContent(), POLL).toBe("seq ▲");
    await expect.poll(() => shown(admin).then((rows) => rows.map((r) => r[2])), POLL).toEqual(bySeq(1).slice(0, 10).map((r) => r[2]));
    await header.click();
    await expect.poll(() => shown(admin).then((rows) => rows.map((r) => r[2])), POLL).toEqual(bySeq(-1).slice(0, 10).map((r) => r[2]));
    expect(await range(admin)).toBe("rows 1–10 of 30");
    await header.click();
    await expect.poll(() => shown(admin), POLL).toEqual(all.slice(0, 10));
    expect(await admin.locator('#db-rows thead th[data-column="seq"]').textContent()).toBe("seq");
  });

  it("makes a backup and lists it, then restores the old rows after they changed, seen in the page and through db.select", async () => {
    const before = await backups();
    const old = await entries();
    await admin.locator("#db-backup").click();
    await expect.poll(() => admin.locator("#db-backup-status").textContent(), POLL).toMatch(/^backup written: backup-.*\.db \(.+ KiB; entries 30 rows, \d+ of Fuse.s own tables\)$/);
    const after = await backups();
    expect(after).toHaveLength(before.length + 1);
    backup = after.find((b) => !before.some((x) => x.file === b.file))!;
    const row = admin.locator(`#db-backups tr[data-file="${backup.file}"]`);
    await row.waitFor(POLL);
    // Newest first, with the time and size db.backups gives.
    expect(await admin.locator("#db-backups tbody tr").first().getAttribute("data-file")).toBe(backup.file);
    expect(await row.locator("[data-field=at]").textContent()).toBe(new Date(backup.at).toISOString().replace("T", " ").slice(0, 19) + " UTC");
    expect(await row.locator("[data-field=size]").textContent()).toBe(`${(backup.bytes / 1024).toFixed(1)} KiB`);

    await hub.call("writer.steady", { n: 5, tag: "gamma" });
    await expect.poll(() => rowCount(admin), POLL).toBe("35");
    await row.locator("[data-action=restore]").click();
    // Nothing is replaced before the confirmation.
    expect(await row.locator(".db-confirm").textContent()).toContain("Rows written since are lost");
    expect(await entries()).toHaveLength(35);
    await row.locator("[data-action=confirm-restore]").click();
    await expect.poll(() => admin.locator("#db-backup-status").textContent(), POLL).toMatch(/^restored backup-.*\.db: entries 30 rows, \d+ of Fuse.s own tables$/);
    await expect.poll(() => rowCount(admin), POLL).toBe("30");
    expect(await entries()).toEqual(old);
    await filter(admin, "writer", "eq", "gamma");
    await expect.poll(() => range(admin), POLL).toBe("no rows");
    await admin.locator("#db-filter-clear").click();
  });

  it("shows a principal without the admin role the refusals, and leaves the rows and backups untouched", async () => {
    // Rows written after the backup: a restore that got through would remove them.
    await hub.call("writer.steady", { n: 2, tag: "delta" });
    const rows = await entries();
    const listed = await backups();
    expect(rows).toHaveLength(32);
    const viewer = await signedIn(viewerKey);
    // Tables and backups are listed to any signed-in principal; rows, backing up and restoring need admin.
    await expect.poll(() => rowCount(viewer), POLL).toBe("32");
    await expect.poll(() => viewer.locator("#db-rows-error").textContent(), POLL).toMatch(/^FORBIDDEN: /);
    expect(await shown(viewer)).toEqual([]);
    await viewer.locator("#db-backup").click();
    await expect.poll(() => viewer.locator("#db-backup-status").textContent(), POLL).toMatch(/^back up refused: FORBIDDEN: /);
    const row = viewer.locator(`#db-backups tr[data-file="${backup.file}"]`);
    await row.locator("[data-action=restore]").click();
    await row.locator("[data-action=confirm-restore]").click();
    await expect.poll(() => viewer.locator("#db-backup-status").textContent(), POLL).toMatch(/^restore refused: FORBIDDEN: /);
    await viewer.locator("#db-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-db-forbidden.png") });
    expect(await entries()).toEqual(rows);
    expect(await backups()).toEqual(listed);
    // The page still works: the tables go on refreshing.
    await hub.call("writer.steady", { n: 1, tag: "epsilon" });
    await expect.poll(() => rowCount(viewer), POLL).toBe("33");
  });

  it("fits a 400 px window: wider tables scroll inside the panel, the page does not overflow", async () => {
    await admin.setViewportSize({ width: 400, height: 900 });
    const overflow = () => admin.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    await expect.poll(overflow, POLL).toBeLessThanOrEqual(0);
    const panel = await admin.locator("#db-panel").boundingBox();
    expect(panel!.x + panel!.width).toBeLessThanOrEqual(400);
    expect(await admin.locator("#db-rows tbody tr").count()).toBeGreaterThan(0);
    // The backups' table (its long file names) is wider than its box, which scrolls.
    const scroller = await admin.evaluate<{ inner: number; box: number; scrolls: string }>(`(() => {
      const table = document.querySelector("#db-backups");
      return { inner: table.scrollWidth, box: table.parentElement.clientWidth, scrolls: getComputedStyle(table.parentElement).overflowX };
    })()`);
    expect(scroller.inner).toBeGreaterThan(scroller.box);
    expect(scroller.scrolls).toBe("auto");
    await admin.locator("#db-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-db-narrow.png") });
    expect(pageErrors).toEqual([]);
  });
});
