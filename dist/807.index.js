export const id = 807;
export const ids = [807];
export const modules = {

/***/ 5807:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ActionsCache: () => (/* binding */ ActionsCache)
});

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 357 modules
var cache = __webpack_require__(5078);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: external "node:async_hooks"
var external_node_async_hooks_ = __webpack_require__(6698);
;// CONCATENATED MODULE: ./lib/cache/actions-output.js

/**
 * @actions/cache reports its failures itself, one line per call, and tells
 * its caller only "miss" or "not saved". While its calls run, this takes
 * those failure lines off stdout and hands them to the cache, which stops
 * using the service after the first one and says so once: a down service
 * should cost one warning, not one per layer and a retry storm.
 */
const FAILURE = /^::(warning|error)::(Failed to (restore|save): .*|Cache reservation failed: .*|uploadCacheArchiveSDK: .*)$/;
let inFlight = 0;
let original;
/**
 * Restores and saves run side by side, and a failure of one must not stop
 * the other: a line goes to the call whose async context writes it.
 */
const caller = new external_node_async_hooks_.AsyncLocalStorage();
function install() {
    const write = process.stdout.write.bind(process.stdout);
    original = write;
    process.stdout.write = ((chunk, ...rest) => {
        if (typeof chunk === 'string') {
            const kept = chunk
                .split('\n')
                .filter((line) => {
                const m = FAILURE.exec(line.replace(/\r$/, ''));
                const onFailure = caller.getStore();
                // A line from outside every call is no failure of ours: it is printed as written.
                if (m === null || onFailure === undefined)
                    return true;
                onFailure(decodeCommand(m[2]));
                return false;
            })
                .join('\n');
            if (kept.trim() === '') {
                const callback = rest.find((r) => typeof r === 'function');
                callback?.();
                return true;
            }
            return write(kept, ...rest);
        }
        return write(chunk, ...rest);
    });
}
/** Runs one @actions/cache call with its failure lines sent to `onFailure`. */
async function capturingFailures(onFailure, call) {
    if (inFlight++ === 0)
        install();
    try {
        return await caller.run(onFailure, call);
    }
    finally {
        if (--inFlight === 0 && original !== undefined) {
            process.stdout.write = original;
            original = undefined;
        }
    }
}
/** Workflow commands escape %, CR and LF in their message. */
function decodeCommand(s) {
    return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%').split('\n')[0] ?? s;
}

// EXTERNAL MODULE: ./lib/cache/actions-root.js
var actions_root = __webpack_require__(6318);
;// CONCATENATED MODULE: ./lib/cache/actions.js








const RECORD_PREFIX = 'layered-image-record-';
/** A new key for every run and attempt; a run outside Actions (tests, local) gets the clock's. */
function runId() {
    const run = process.env['GITHUB_RUN_ID'];
    return run ? `${run}-${process.env['GITHUB_RUN_ATTEMPT'] ?? '1'}` : `t${Date.now()}`;
}
/**
 * Below these uncompressed sizes a layer's blob gets no entry: restoring one
 * costs two service calls, a download and an unpacking by tar and zstd
 * processes, about as long as gzip (at level 1, ~100 MB/s a core) takes
 * for 8 MiB, or zstd (~350 MB/s) for 32 MiB. bench/action.ts measures it.
 */
const MIN_LAYER_BYTES = { gzip: 8 << 20, zstd: 32 << 20 };
/**
 * The GitHub Actions cache through `@actions/cache`: one entry per large
 * layer blob, holding a folder with the blob and its metadata (one entry, not two).
 * The folder's path is part of the entry's version, so @actions/cache is
 * given it relative to our root, named by the key alone: the same string on
 * save and restore, on every runner, whatever its RUNNER_TEMP.
 */
class ActionsCache {
    root;
    warn;
    description = 'GitHub Actions cache';
    restoring = true;
    saving = true;
    constructor(root, warn) {
        this.root = root;
        this.warn = warn;
    }
    /** After the first failure of a kind, the rest of the run does without it. */
    failed(kind, message) {
        if (kind === 'restore' ? !this.restoring : !this.saving)
            return;
        if (kind === 'restore')
            this.restoring = false;
        else
            this.saving = false;
        this.warn(`GitHub Actions cache ${kind} failed (${message}); this run goes on without cache ${kind}s`);
    }
    /** False when the runner offers no cache service (forks, local runs). */
    static available() {
        return cache/* isFeatureAvailable */.w3();
    }
    /** Runs an @actions/cache call on a folder under the root (see actions-root.ts). */
    async call(fn) {
        await (0,promises_.mkdir)(this.root, { recursive: true });
        return (0,actions_root/* inCacheRoot */.I)(this.root, fn);
    }
    folder(key) {
        return external_node_path_.join(this.root, key);
    }
    remote = true;
    /** After a restore failed, a miss says nothing of what the cache holds. */
    get degraded() {
        return !this.restoring;
    }
    minLayerBytes(compression) {
        return MIN_LAYER_BYTES[compression];
    }
    async restoreBlob(key) {
        // @actions/cache treats keys as prefixes; fixed-length keys make the
        // only possible match the exact one, checked here all the same.
        const folder = await this.restoreFolder(key, key, [], (hit) => hit === key);
        if (folder === undefined)
            return undefined;
        const meta = parseOrNull(await (0,promises_.readFile)(external_node_path_.join(folder, 'meta.json'), 'utf8').catch(() => 'null'));
        return { meta, file: external_node_path_.join(folder, 'blob'), own: true };
    }
    saveBlob(key, blobFile, meta) {
        return this.saveFolder(key, key, async (folder) => {
            // @actions/cache packs the folder itself: a hard link (or a clone) saves a copy.
            const dest = external_node_path_.join(folder, 'blob');
            await (0,promises_.link)(blobFile, dest).catch(() => (0,promises_.copyFile)(blobFile, dest, external_node_fs_.constants.COPYFILE_FICLONE));
            await (0,promises_.writeFile)(external_node_path_.join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
        });
    }
    /**
     * The record is saved under a new key each run (entries are immutable)
     * and restored by its scope's prefix, which gives the newest.
     */
    async loadRecord(scope) {
        const prefix = `${RECORD_PREFIX}${scope}-`;
        const folder = await this.restoreFolder(`record-${scope}`, `${prefix}${runId()}`, [prefix], (hit) => hit !== undefined);
        if (folder === undefined)
            return undefined;
        return parseOrNull(await (0,promises_.readFile)(external_node_path_.join(folder, 'record.json'), 'utf8').catch(() => 'null'));
    }
    saveRecord(scope, record) {
        const text = JSON.stringify(record);
        // The content in the key too: matrix jobs of one run each save theirs.
        const key = `${RECORD_PREFIX}${scope}-${runId()}-${(0,external_node_crypto_.createHash)('sha256').update(text).digest('hex').slice(0, 12)}`;
        return this.saveFolder(`record-${scope}`, key, (folder) => (0,promises_.writeFile)(external_node_path_.join(folder, 'record.json'), `${text}\n`));
    }
    /** Restores an entry into its folder, emptied first; the folder when `accept` takes the key that matched. */
    async restoreFolder(name, key, restoreKeys, accept) {
        if (!this.restoring)
            return undefined;
        const folder = this.folder(name);
        try {
            await (0,promises_.rm)(folder, { recursive: true, force: true });
            const hit = await capturingFailures((m) => this.failed('restore', m), () => this.call(() => cache/* restoreCache */.P3([name], key, restoreKeys)));
            return accept(hit) ? folder : undefined;
        }
        catch (e) {
            this.failed('restore', (0,errors/* messageOf */.bD)(e));
            return undefined;
        }
    }
    /** Fills a new folder and saves it under `key`; whether it was stored. */
    async saveFolder(name, key, fill) {
        if (!this.saving)
            return false;
        const folder = this.folder(name);
        try {
            await (0,promises_.rm)(folder, { recursive: true, force: true });
            await (0,promises_.mkdir)(folder, { recursive: true });
            await fill(folder);
            // -1: not saved. A refused reservation (another job saved or is
            // saving the same key) is normal and only logged as info by
            // @actions/cache; one lookup tells whether the entry is there, so the
            // record can name it rather than have every later run make it again.
            const id = await capturingFailures((m) => this.failed('save', m), () => this.call(() => cache/* saveCache */.Io([name], key)));
            if (id !== -1)
                return true;
            if (!this.saving || !this.restoring)
                return false;
            const there = await capturingFailures((m) => this.failed('restore', m), () => this.call(() => cache/* restoreCache */.P3([name], key, [], { lookupOnly: true })));
            return there === key;
        }
        catch (e) {
            this.failed('save', (0,errors/* messageOf */.bD)(e));
            return false;
        }
    }
    async discard(key) {
        // Entries in the Actions cache are immutable: the bad one is skipped for
        // the rest of this run, and saving under its key would only be refused.
        await (0,promises_.rm)(this.folder(key), { recursive: true, force: true }).catch(() => { });
        return false;
    }
}
/** What a restored entry's JSON says; a malformed one is no entry (verification reports it), never an error. */
function parseOrNull(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return null;
    }
}


/***/ })

};
