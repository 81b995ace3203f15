import { Router } from "../../../src/emulator/router";

describe("Router", () => {
  const router = new Router<string>()
    .add("GET", "/v2/spot/bids", "list")
    .add("PATCH", "/v2/spot/bids/{fid}", "patch")
    .add("DELETE", "/v2/spot/bids/{fid}", "delete")
    .add("POST", "/v2/spot/bids/{fid}/cancel", "cancel");

  it.each([
    ["GET", "/v2/spot/bids", "list", {}],
    ["GET", "/v2/spot/bids/", "list", {}],
    ["patch", "/v2/spot/bids/bid_1", "patch", { fid: "bid_1" }],
    ["DELETE", "/v2/spot/bids/a%2Fb", "delete", { fid: "a/b" }],
    ["POST", "/v2/spot/bids/bid_1/cancel", "cancel", { fid: "bid_1" }],
  ])("%s %s → %s", (method, path, handler, params) => {
    const m = router.match(method, path);
    expect(m?.route.handler).toBe(handler);
    expect(m?.params).toEqual(params);
  });

  it.each([
    ["GET", "/v2/spot"],
    ["PUT", "/v2/spot/bids/bid_1"],
    ["PATCH", "/v2/spot/bids/%E0%A4%A"],
    ["GET", "/v2/spot/bids/bid_1/extra/more"],
  ])("does not match %s %s", (method, path) => {
    expect(router.match(method, path)).toBeUndefined();
  });

  it("says which methods a path takes", () => {
    expect(router.methodsFor("/v2/spot/bids/bid_9").sort()).toEqual(["DELETE", "PATCH"]);
  });
});
