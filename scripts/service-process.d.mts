export declare const SERVICE_NODE_ARGS: readonly string[];
export declare const SERVICE_PROCESS_ENV: Readonly<Record<string, string>>;
