"""Qt views of the certificate area: regeneration dialog, expiry banner, status widget."""

from app.ui.certs.banner import ExpiryBanner
from app.ui.certs.dialog import CertificateDialog
from app.ui.certs.status_widget import CertificateStatusWidget

__all__ = ["CertificateDialog", "CertificateStatusWidget", "ExpiryBanner"]
