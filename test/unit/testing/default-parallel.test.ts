import { defaultParallel } from "../../../src/testing/local-engine";

test("4 x CPUs, as `pulumi up` without --parallel", () => {
  expect(defaultParallel({}, 2)).toBe(8);
  expect(defaultParallel({}, 16)).toBe(64);
});

test("PULUMI_PARALLEL wins; GOMAXPROCS counts as the CPUs; nonsense is ignored", () => {
  expect(defaultParallel({ PULUMI_PARALLEL: "256" }, 2)).toBe(256);
  expect(defaultParallel({ GOMAXPROCS: "3" }, 2)).toBe(12);
  expect(defaultParallel({ PULUMI_PARALLEL: "0", GOMAXPROCS: "x" }, 2)).toBe(8);
  expect(defaultParallel({ PULUMI_PARALLEL: "99999999999" }, 2)).toBe(2 ** 31 - 1);
});
