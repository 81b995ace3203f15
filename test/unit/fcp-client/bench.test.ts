import { run } from "../../../bench/client.bench";

describe("bench/client.bench.ts", () => {
  it("meets its target: 100 concurrent getBid cost no more list requests than one full listing", async () => {
    const results = await run();
    const cached = results.find((r) => r.name.includes("(cached)") && r.unit === "requests")!;
    const naive = results.find((r) => r.name.includes("(naive") && r.unit === "requests")!;
    expect(cached.ok).toBe(true);
    expect(cached.value).toBe(5);
    expect(naive.value).toBe(500);
  });
});
