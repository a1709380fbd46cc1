"""The proxy mode's certificate authority: made once in a folder and reused, so a client told once
to trust its certificate keeps trusting it across runs; and a certificate per Trustpilot host,
signed by it when the proxy starts (kept in memory only).

The CA's key never leaves its folder (mode 0600); it can sign only for names the proxy serves
because the proxy alone holds it, so the folder is the one thing to keep private.
"""

import datetime
import fcntl
import ipaddress
import os
import ssl
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
CA_NAME = "Trustpilot partner sandbox local CA (trustpilot-mock proxy mode)"
CA_YEARS = 10
LEAF_DAYS = 397  # the longest TLS clients accept; a new one is signed at every start anyway
ENVIRONMENT = "TRUSTPILOT_MOCK_PROXY_CA_DIR"


class CaProblem(Exception):
    """The CA folder cannot be made or read; the message names the path and what to do."""


def default_folder():
    """$TRUSTPILOT_MOCK_PROXY_CA_DIR, else $XDG_DATA_HOME/trustpilot-mock/proxy-ca (~/.local/share/...)."""
    if os.environ.get(ENVIRONMENT):
        return Path(os.environ[ENVIRONMENT])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "trustpilot-mock" / "proxy-ca"


class LocalCA:
    """The CA in ``folder`` (made there when absent); ``context(host)`` is a server TLS context
    with a certificate for ``host`` signed by it."""

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.cert_path = self.folder / CA_CERT
        self.created = False
        self._contexts = {}
        self._lock = threading.Lock()
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())  # one key for every host's certificate
        self._open()

    def context(self, host):
        """The server-side TLS context for ``host`` (made once per host and process)."""
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = self._server_context(host)
            return self._contexts[host]

    # -- the CA ---------------------------------------------------------------------------------
    def _open(self):
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Two starts sharing the folder must not both make a CA: the second would replace the
            # one the first printed.
            with open(self.folder / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not self.cert_path.exists():
                    self._create()
                    self.created = True
                self._load()
        except OSError as exc:
            raise CaProblem(f"the proxy's CA folder {self.folder} cannot be used: {exc.strerror or exc} "
                            "(choose another with --proxy-ca-dir)") from None

    def _create(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # RSA: every client takes it
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustpilot-mock (not Trustpilot)")])
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        _write(self.folder / CA_KEY, key_pem, 0o600)  # the key first: a certificate without it is unusable
        _write(self.cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)

    def _load(self):
        key_path = self.folder / CA_KEY
        try:
            self._cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
            self._key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (ValueError, TypeError, FileNotFoundError) as exc:
            raise CaProblem(f"the proxy's CA in {self.folder} cannot be read ({CA_CERT} and {CA_KEY}: {exc}); "
                            "remove the folder to make a new CA (clients must then trust the new ca.pem)") from None
        if self._cert.not_valid_after_utc <= _now() + datetime.timedelta(days=1):
            raise CaProblem(f"the proxy's CA {self.cert_path} has expired (or expires within a day); remove "
                            f"{self.folder} to make a new one (clients must then trust the new ca.pem)")

    # -- a host's certificate -----------------------------------------------------------------------
    def _leaf(self, host):
        now = _now()
        try:
            alt = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        ca_ski = self._cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
                .issuer_name(self._cert.subject).public_key(self._leaf_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(min(now + datetime.timedelta(days=LEAF_DAYS), self._cert.not_valid_after_utc))
                .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, key_cert_sign=False,
                                             content_commitment=False, data_encipherment=False,
                                             key_agreement=False, crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._leaf_key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
                .sign(self._key, hashes.SHA256()))

    def _server_context(self, host):
        chain = (self._leaf(host).public_bytes(serialization.Encoding.PEM)
                 + self._cert.public_bytes(serialization.Encoding.PEM))
        key = self._leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # ssl loads a certificate only from a file: a private temporary one, gone once loaded.
        with tempfile.TemporaryDirectory(prefix="trustpilot-mock-leaf-") as folder:
            path = os.path.join(folder, "leaf.pem")
            _write(Path(path), key + chain, 0o600)
            context.load_cert_chain(path)
        context.set_alpn_protocols(["http/1.1"])  # the tunnel speaks HTTP/1.1 only
        return context


def _write(path, data, mode):
    """Write ``data`` whole or not at all (a reader never sees half a PEM file)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        os.fchmod(out.fileno(), mode)
        out.write(data)
    os.replace(temporary, path)


def _now():
    return datetime.datetime.now(datetime.timezone.utc)
