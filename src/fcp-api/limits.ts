// Limits of the FCP API that both the client side (script builder, provider checks) and the
// emulator must agree on, each with where it comes from.

/**
 * Largest startup script FCP runs, in characters: 10,000.
 *
 * Sources, read 2026-12-03:
 * - the seed's API reference: "10KB" / 10,000 characters;
 * - the live Mithril OpenAPI (in flow-compute 3.28.2): `LaunchSpecificationModel.startup_script`
 *   is `{"type": "string", "nullable": true}`, with no `maxLength`: the description states no limit;
 * - flow-compute 3.28.2, `flow/adapters/providers/builtin/mithril/core/constants.py`:
 *   `STARTUP_SCRIPT_MAX_SIZE = 10 * 1000  # 10,000 characters`, commented "Mithril has a 10,000
 *   character limit for uncompressed startup scripts / Source:
 *   https://docs.mithril.ai/compute-and-storage/startup-scripts"; its ScriptSizeHandler compresses
 *   above that cap less a 1,000-character safety margin.
 *
 * So no source documents more than 10,000 accepted; this default is not raised above it. The
 * script builder takes it as a setting (`BuildStartupScriptOptions.maxBytes`).
 */
export const STARTUP_SCRIPT_MAX_CHARS = 10_000;
