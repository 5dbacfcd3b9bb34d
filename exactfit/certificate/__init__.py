"""Optimality certificates: the format (:mod:`.format`) and the independent checker
(:mod:`.check`).  Neither imports solver code; the definitions and the proof that a checked
certificate proves its bound are in ``docs/certificate.md``."""

from exactfit.certificate.check import CertificateVerdict, check_certificate
from exactfit.certificate.format import (
    FORMAT,
    VERSION,
    VERSIONS,
    Apex,
    Certificate,
    Fix,
    Imply,
    Leaf,
    Split,
    Tree,
    instance_digest,
    read_certificate,
    write_certificate,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "VERSIONS",
    "Apex",
    "Certificate",
    "CertificateVerdict",
    "Fix",
    "Imply",
    "Leaf",
    "Split",
    "Tree",
    "check_certificate",
    "instance_digest",
    "read_certificate",
    "write_certificate",
]
