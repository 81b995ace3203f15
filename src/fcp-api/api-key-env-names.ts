// The environment variables that hold an FCP API key, in the order the client reads them (ours,
// the seed SDK's, then the live Mithril client's). One list for config loading, the Task's
// API-key guard and the startup script's refusal to carry a key.
export const API_KEY_ENV_NAMES = ["FLOW_API_KEY", "FCP_API_KEY", "MITHRIL_API_KEY"] as const;

/** Other names people give the key; never read as configuration, but never put in a script either. */
export const API_KEY_ENV_ALIASES = ["FOUNDRY_API_KEY", "MLFOUNDRY_API_KEY"] as const;
