// Both error body formats: the seed's `{"error":{code,message,details},"request_id"}` and the
// live service's FastAPI `{"detail": [...]}` / `{"detail": "..."}`.
import { z } from "zod";

export const seedErrorBody = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    details: z
      .union([
        z.object({
          field: z.string().optional(),
          value: z.unknown().optional(),
          allowed_values: z.array(z.unknown()).optional(),
        }),
        z.array(z.object({ field: z.string().optional(), message: z.string().optional(), value: z.unknown().optional() })),
      ])
      .nullish(),
  }),
  request_id: z.string().optional(),
});
export type SeedErrorBody = z.infer<typeof seedErrorBody>;

export const fastApiErrorBody = z.object({
  detail: z.union([
    z.string(),
    z.array(
      z.object({
        loc: z.array(z.union([z.string(), z.number()])).optional(),
        msg: z.string().optional(),
        type: z.string().optional(),
        input: z.unknown().optional(),
      }),
    ),
  ]),
});
