"""Study of the Gaussian probe's estimator (issue 16, item 3) on an exported store.

usage: gaussian_estimator_study.py EXPORT_DIR [K] [EVAL_TOKENS] [POOL]
EXPORT_DIR holds activations.npy and labels.json (`neuronhost export STORE --out EXPORT_DIR`).

For each setting it fits one Gaussian per class on the train split and reports, on held-out
data: the share of single neurons whose dev MI is <= 0, the median single-neuron dev MI, and a
greedy forward selection of K neurons by dev MI (Pitfalls' protocol; each step scores the POOL best
single neurons left and POOL random others exactly on S + j) with the MI of the selected
set on dev and on test and the Gaussian probe's test accuracy on it. Settings:

  pitfalls     Sigma_c = (L0 + S_c) / (N_c + 2D + 4), L0 = diag of the unbiased class covariance,
               D = all neurons of the matrix (Pitfalls' Gaussian.py, NeuronHost's old default)
  subset-dim   the same with D = |S|, the size of the subset being scored
  scaled-prior L0 = (2D + 4) * diag(class variance): the prior counts as 2D + 4 pseudo-tokens with
               the class's own variances, so Sigma_c shrinks the full covariance toward its
               diagonal instead of shrinking every variance toward 0
  ml-full      S_c / (N_c - 1) (no prior)
  diagonal     diag of the unbiased class covariance (independent neurons)
Each with every class ("min 1") or only classes with >= 100 train tokens ("min 100"; rows of
dropped classes are left out everywhere). (z-scored columns are not a setting: the Gaussian
log-likelihood ratio is invariant to a per-neuron affine map, and so is the floor below; prepare()
keeps the option for checking that.)
Every variance is floored at 0.01 x the neuron's overall variance, as in NeuronHost.
"""
import json, math, sys, time
import numpy as np

folder = sys.argv[1]
K = int(sys.argv[2]) if len(sys.argv) > 2 else 20
EVAL = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
POOL = int(sys.argv[4]) if len(sys.argv) > 4 else 32
X_all = np.load(folder + "/activations.npy").astype(np.float32)
meta = json.load(open(folder + "/labels.json"))
y_all = np.array(meta["labels"])
split = np.array(meta["splits"])
D = X_all.shape[1]
rng = np.random.default_rng(1)


def subsample(idx, n):
    return idx if len(idx) <= n else np.sort(rng.choice(idx, n, replace=False))


def prepare(min_count, zscore):
    train = np.where((split == "train") & (y_all >= 0))[0]
    counts = np.bincount(y_all[train], minlength=len(meta["classNames"]))
    keep = np.where(counts >= min_count)[0]
    ok = np.isin(y_all, keep)
    tr = np.where((split == "train") & ok)[0]
    dv = subsample(np.where((split == "dev") & ok)[0], EVAL)
    te = subsample(np.where((split == "test") & ok)[0], EVAL)
    X = X_all
    if zscore:
        mu, sd = X[tr].mean(0), X[tr].std(0)
        sd[sd == 0] = 1
        X = (X - mu) / sd
    remap = -np.ones(y_all.max() + 1, dtype=int)
    remap[keep] = np.arange(len(keep))
    return X, remap[y_all], tr, dv, te


def fit(X, y, tr, variant):
    C = y[tr].max() + 1
    Xt, yt = X[tr].astype(np.float64), y[tr]
    overall = Xt.var(0)
    overall[overall == 0] = 1
    model = []
    for c in range(C):
        xc = Xt[yt == c]
        n = len(xc)
        mu = xc.mean(0)
        xc = xc - mu
        S = xc.T @ xc
        var = np.maximum(S.diagonal() / (n - 1), 0.01 * overall)
        model.append(dict(n=n, mu=mu, S=S, var=var))
    return model, np.log(np.bincount(yt, minlength=C) / len(yt))


def covariance(m, variant, cols):
    """Sigma_c restricted to cols for the variant (subset-dim uses |cols|)."""
    n, S, var = m["n"], m["S"][np.ix_(cols, cols)], m["var"][cols]
    k = len(cols)
    if variant == "pitfalls":
        return (np.diag(var) + S) / (n + 2 * D + 4)
    if variant == "subset-dim":
        return (np.diag(var) + S) / (n + 2 * k + 4)
    if variant == "scaled-prior":
        return ((2 * D + 4) * np.diag(var) + S) / (n + 2 * D + 4)
    if variant == "ml-full":
        return S / (n - 1) + 1e-6 * np.diag(var)
    if variant == "diagonal":
        return np.diag(var)
    raise ValueError(variant)


def log_posteriors(model, logprior, variant, X, rows, cols):
    x = X[np.ix_(rows, cols)].astype(np.float64)
    ll = np.empty((len(rows), len(model)))
    for c, m in enumerate(model):
        sigma = covariance(m, variant, cols)
        L = np.linalg.cholesky(sigma + 1e-10 * np.eye(len(cols)) * np.trace(sigma) / len(cols))
        z = np.linalg.solve(L, (x - m["mu"][cols]).T)
        ll[:, c] = logprior[c] - 0.5 * (z * z).sum(0) - np.log(np.diag(L)).sum() - 0.5 * len(cols) * math.log(2 * math.pi)
    mx = ll.max(1, keepdims=True)
    return ll - mx - np.log(np.exp(ll - mx).sum(1, keepdims=True))


def mi_bits(model, logprior, variant, X, y, rows, cols):
    lp = log_posteriors(model, logprior, variant, X, rows, cols)
    yy = y[rows]
    freq = np.bincount(yy, minlength=len(model)) / len(yy)
    H = -(freq[freq > 0] * np.log(freq[freq > 0])).sum()
    return (H + lp[np.arange(len(rows)), yy].mean()) / math.log(2), (lp.argmax(1) == yy).mean()


def single_neuron_mi(model, logprior, variant, X, y, rows):
    """Dev MI of every neuron alone (closed form for one dimension)."""
    x = X[rows].astype(np.float64)
    yy = y[rows]
    lse = np.full((len(rows), D), -np.inf)
    gold = np.zeros((len(rows), D))
    for c, m in enumerate(model):
        s = np.array([covariance(m, variant, [j])[0, 0] for j in range(D)]) if variant == "subset-dim" else None
        if s is None:
            n, Sd, var = m["n"], m["S"].diagonal(), m["var"]
            s = {"pitfalls": (var + Sd) / (n + 2 * D + 4), "scaled-prior": ((2 * D + 4) * var + Sd) / (n + 2 * D + 4),
                 "ml-full": Sd / (n - 1) + 1e-6 * var, "diagonal": var}[variant]
        ll = logprior[c] - 0.5 * (x - m["mu"]) ** 2 / s - 0.5 * np.log(2 * math.pi * s)
        lse = np.logaddexp(lse, ll)
        gold[yy == c] = ll[yy == c]
    freq = np.bincount(yy, minlength=len(model)) / len(yy)
    H = -(freq[freq > 0] * np.log(freq[freq > 0])).sum()
    return (H + (gold - lse).mean(0)) / math.log(2)


def greedy(model, logprior, variant, X, y, dev, single):
    """Forward selection by dev MI; candidates scored exactly on S + j (the 64 best single
    neurons not yet chosen plus POOL random others per step, to keep it affordable)."""
    chosen = []
    order = list(np.argsort(-single))
    r = np.random.default_rng(7)
    for step in range(K):
        pool = [j for j in order if j not in chosen][:POOL]
        rest = [j for j in range(D) if j not in chosen and j not in pool]
        pool += list(r.choice(rest, POOL, replace=False))
        scores = [mi_bits(model, logprior, variant, X, y, dev, chosen + [j])[0] for j in pool]
        chosen.append(pool[int(np.argmax(scores))])
    return chosen


rows = []
settings = [(v, 1, False) for v in ["pitfalls", "subset-dim", "scaled-prior", "ml-full", "diagonal"]]
settings += [(v, 100, False) for v in ["pitfalls", "subset-dim", "scaled-prior", "ml-full", "diagonal"]]
fits = {}
for variant, min_count, z in settings:
    t0 = time.time()
    if (min_count, z) not in fits:
        X, y, tr, dv, te = prepare(min_count, z)
        fits[(min_count, z)] = (X, y, tr, dv, te) + fit(X, y, tr, variant)
    X, y, tr, dv, te, model, logprior = fits[(min_count, z)]
    single = single_neuron_mi(model, logprior, variant, X, y, dv)
    chosen = greedy(model, logprior, variant, X, y, dv, single)
    mi_dev, _ = mi_bits(model, logprior, variant, X, y, dv, chosen)
    mi_test, acc_test = mi_bits(model, logprior, variant, X, y, te, chosen)
    yt = y[te]
    majority = (yt == np.bincount(y[tr]).argmax()).mean()
    row = dict(variant=variant, min_count=min_count, zscore=z, classes=len(model),
               single_mi_le0=float((single <= 0).mean()), single_mi_median=float(np.median(single)),
               k=K, mi_dev=float(mi_dev), mi_test=float(mi_test), acc_test=float(acc_test), majority=float(majority),
               seconds=round(time.time() - t0, 1))
    rows.append(row)
    print(json.dumps(row), flush=True)
