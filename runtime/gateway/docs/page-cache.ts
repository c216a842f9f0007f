import type { RouteDiscovery } from "../routes/route-discovery.ts";
import { buildApiIndex, type ApiIndex } from "./api-index.ts";
import { renderDocsPage } from "./docs-page.ts";
import { buildOpenApi } from "./openapi.ts";

/**
 * The index, OpenAPI document and docs page, rendered once per route table (its signature)
 * and then served from memory: documents cost nothing per request.
 */
export class PageCache {
  private signature: string | undefined;
  private pages: { index: ApiIndex; indexJson: string; openapi?: string; docs?: string } | undefined;

  constructor(
    private readonly discovery: RouteDiscovery,
    private readonly serverUrl: () => string,
  ) {}

  private current() {
    const table = this.discovery.table;
    if (!this.pages || this.signature !== table.signature) {
      const index = buildApiIndex(table);
      this.pages = { index, indexJson: JSON.stringify(index) };
      this.signature = table.signature;
    }
    return this.pages;
  }

  index(): ApiIndex {
    return this.current().index;
  }

  indexJson(): string {
    return this.current().indexJson;
  }

  openapiJson(): string {
    const pages = this.current();
    return (pages.openapi ??= JSON.stringify(buildOpenApi(pages.index, this.serverUrl())));
  }

  docsHtml(): string {
    const pages = this.current();
    return (pages.docs ??= renderDocsPage(pages.index));
  }
}
