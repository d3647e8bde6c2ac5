export declare function keepOwnSources(path: string): { before: number; after: number };
