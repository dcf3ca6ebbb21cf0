"""Thread counts of a PyTorch reference, both of them. torch.set_num_threads sets torch's own
(intra-op) threads only: when torch's BLAS is OpenBLAS (Debian's python3-torch), its products
run on OpenBLAS's pool, which keeps its own count (all cores) whatever torch was told. So a
reference "at 1 thread" would still multiply matrices on every core. set_threads sets both."""
import ctypes
import torch


def _openblas():
    """The OpenBLAS this process loaded (through torch), or None when torch's BLAS is another."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.split()[-1]})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads
            lib.openblas_get_num_threads
            return lib
        except (OSError, AttributeError):
            continue
    return None


_blas = None


def controls_openblas():
    """True when torch multiplies through an OpenBLAS whose threads set_threads sets."""
    global _blas
    if _blas is None:
        _blas = _openblas() or False
    return bool(_blas)


def set_threads(torch_threads, blas_threads=None):
    """Sets torch's threads and OpenBLAS's (None: as many as torch's); returns what each now is
    (OpenBLAS's None when torch does not use OpenBLAS: then only torch's count was set)."""
    torch.set_num_threads(int(torch_threads))
    blas_threads = torch_threads if blas_threads is None else blas_threads
    if not controls_openblas():
        return torch.get_num_threads(), None
    _blas.openblas_set_num_threads(int(blas_threads))
    return torch.get_num_threads(), _blas.openblas_get_num_threads()
