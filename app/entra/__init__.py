"""The Entra side of each connector through Microsoft Graph: sign-in, links to enterprise
applications, provisioning job status and actions (docs/entra.md). No Qt."""
