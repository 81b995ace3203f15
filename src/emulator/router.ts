// Path templates such as `/v2/spot/bids/{fid}`. The template, not the raw path, is what request
// counts and fault rules are keyed by, so `PATCH /v2/spot/bids/{fid}` counts every bid alike.

export interface Route<H> {
  method: string;
  template: string;
  handler: H;
}

export interface RouteMatch<H> {
  route: Route<H>;
  params: Record<string, string>;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, template: string, handler: H): this {
    this.routes.push({ method: method.toUpperCase(), template, handler });
    return this;
  }

  match(method: string, path: string): RouteMatch<H> | undefined {
    const segments = splitPath(path);
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase()) continue;
      const params = matchTemplate(route.template, segments);
      if (params) return { route, params };
    }
    return undefined;
  }

  /** Methods that exist for a path, to say so when the method is wrong. */
  methodsFor(path: string): string[] {
    const segments = splitPath(path);
    return [...new Set(this.routes.filter((r) => matchTemplate(r.template, segments)).map((r) => r.method))];
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = splitPath(template);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.startsWith("{") && part.endsWith("}")) {
      let value: string;
      try {
        value = decodeURIComponent(segments[i]);
      } catch {
        return undefined;
      }
      params[part.slice(1, -1)] = value;
    } else if (part !== segments[i]) {
      return undefined;
    }
  }
  return params;
}
