export const id = 807;
export const ids = [807];
export const modules = {

/***/ 5807:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ActionsCache: () => (/* binding */ ActionsCache)
});

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 359 modules
var cache = __webpack_require__(885);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
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
const listeners = new Set();
function install() {
    const write = process.stdout.write.bind(process.stdout);
    original = write;
    process.stdout.write = ((chunk, ...rest) => {
        if (typeof chunk === 'string') {
            const kept = chunk
                .split('\n')
                .filter((line) => {
                const m = FAILURE.exec(line.replace(/\r$/, ''));
                if (m === null)
                    return true;
                for (const l of listeners)
                    l(decodeCommand(m[2]));
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
    listeners.add(onFailure);
    try {
        return await call();
    }
    finally {
        listeners.delete(onFailure);
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

;// CONCATENATED MODULE: ./lib/cache/actions.js






/**
 * The GitHub Actions cache through `@actions/cache`: one entry per layer,
 * holding a folder with the layer tar and its metadata (one entry, not two).
 * The folder's path is part of the entry's version, so it is derived from
 * the key alone and is the same on save and restore.
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
    folder(key) {
        return external_node_path_.join(this.root, key);
    }
    async restore(key) {
        if (!this.restoring)
            return undefined;
        const folder = this.folder(key);
        try {
            await (0,promises_.rm)(folder, { recursive: true, force: true });
            // @actions/cache treats keys as prefixes; fixed-length keys make the
            // only possible match the exact one, checked here all the same.
            const hit = await capturingFailures((m) => this.failed('restore', m), () => cache/* restoreCache */.P3([folder], key, []));
            if (hit !== key)
                return undefined;
            const meta = JSON.parse(await (0,promises_.readFile)(external_node_path_.join(folder, 'meta.json'), 'utf8').catch(() => 'null'));
            return { meta, file: external_node_path_.join(folder, 'layer.tar') };
        }
        catch (e) {
            this.failed('restore', (0,errors/* messageOf */.bD)(e));
            return undefined;
        }
    }
    async save(key, layerFile, meta) {
        if (!this.saving)
            return false;
        const folder = this.folder(key);
        try {
            await (0,promises_.rm)(folder, { recursive: true, force: true });
            await (0,promises_.mkdir)(folder, { recursive: true });
            // @actions/cache packs the folder itself: a hard link (or a clone) saves a copy.
            const dest = external_node_path_.join(folder, 'layer.tar');
            await (0,promises_.link)(layerFile, dest).catch(() => (0,promises_.copyFile)(layerFile, dest, external_node_fs_.constants.COPYFILE_FICLONE));
            await (0,promises_.writeFile)(external_node_path_.join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
            // -1: not saved. A refused reservation (another job is saving the
            // same layer) is normal and only logged as info by @actions/cache.
            const id = await capturingFailures((m) => this.failed('save', m), () => cache/* saveCache */.Io([folder], key));
            return id !== -1;
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


/***/ })

};
