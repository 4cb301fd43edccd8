/** The path of src/page-script.ts. */
export declare const PAGE_SCRIPT_FILE: string
/** The text of src/page-script.ts, built from the current sources. */
export declare function buildPageScriptModule(): Promise<string>
