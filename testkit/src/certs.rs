//! Fixed test certificates and their private keys.
//!
//! Generated once (not at test time) with OpenSSL 3.0 `openssl req` / `openssl ca -selfsign`
//! and fixed `-startdate`/`-enddate`, so every date below is stable and tests can assert
//! on them. Subjects are encoded C, O, CN (OpenSSL prints them reversed in RFC 2253 form).
//!
//! | constant        | issuer    | not before           | not after            | key            |
//! |-----------------|-----------|----------------------|----------------------|----------------|
//! | [`CA`]          | self (CA) | 2018-01-01T00:00:00Z | 2048-01-01T00:00:00Z | RSA, PKCS#1    |
//! | [`REP_SERVER`]  | `CA`      | 2024-01-01T00:00:00Z | 2049-01-01T00:00:00Z | RSA, PKCS#8    |
//! | [`BBS_CLIENT`]  | `CA`      | 2018-07-13T22:25:49Z | 2019-07-12T22:25:49Z | EC P-256, SEC1 |
//! | [`METRON`]      | self      | 2024-01-01T00:00:00Z | 2054-06-01T00:00:00Z | RSA, PKCS#1    |
//! | [`ROUTE_EMITTER`] | `CA`    | 2025-03-01T00:00:00Z | 2031-03-01T00:00:00Z | EC P-256, PKCS#8 |
//!
//! `BBS_CLIENT` is expired (its dates are the ones `openssl x509 -dates` printed in seed
//! 001, the "ERR Downloading Failed" incident); `REP_SERVER` is a CA-signed leaf valid for
//! 25 years; `METRON` is self-signed and valid for 30 years; `ROUTE_EMITTER` expires on a
//! fixed date, so a test can use `--at 2031-02-20T00:00:00Z` for an "expires in 9 days" case.
//!
//! Certificates are public and are collected as they are. Every `key_pem` is a planted
//! secret: it must never appear in a bundle. [`MBUS_KEY`] has no certificate; it is the
//! agent's NATS TLS key planted in `settings.json`.

/// A fixed test certificate with the facts a test may assert on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestCert {
    /// Short name, also used as the file stem in the sample cell.
    pub name: &'static str,
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    pub cert_pem: &'static str,
    /// Its private key, PEM. A secret.
    pub key_pem: &'static str,
    /// Subject common name.
    pub subject_cn: &'static str,
    /// Issuer common name.
    pub issuer_cn: &'static str,
    /// Subject as OpenSSL prints it with `-nameopt RFC2253`.
    pub subject_rfc2253: &'static str,
    /// Issuer as OpenSSL prints it with `-nameopt RFC2253`.
    pub issuer_rfc2253: &'static str,
    /// Subject alternative names (DNS names and IP addresses, as text).
    pub sans: &'static [&'static str],
    /// Serial number, hex as OpenSSL prints it.
    pub serial_hex: &'static str,
    /// `notBefore`, RFC 3339 UTC.
    pub not_before: &'static str,
    /// `notAfter`, RFC 3339 UTC.
    pub not_after: &'static str,
    /// `notBefore`, seconds since the Unix epoch.
    pub not_before_unix: i64,
    /// `notAfter`, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// True for a CA certificate (basicConstraints CA:TRUE).
    pub is_ca: bool,
    /// SHA-256 fingerprint of the DER, colon-separated upper-case hex (`openssl x509 -fingerprint -sha256`).
    pub sha256_fingerprint: &'static str,
}

/// The CA that signs `REP_SERVER`, `BBS_CLIENT` and `ROUTE_EMITTER`. Valid 2018..2048.
pub const CA: TestCert = TestCert {
    name: "ca",
    cert_pem: CA_CERT_PEM,
    key_pem: CA_KEY_PEM,
    subject_cn: "vcap-diag test diego CA",
    issuer_cn: "vcap-diag test diego CA",
    subject_rfc2253: "CN=vcap-diag test diego CA,O=vcap-diag test,C=US",
    issuer_rfc2253: "CN=vcap-diag test diego CA,O=vcap-diag test,C=US",
    sans: &[],
    serial_hex: "1000",
    not_before: "2018-01-01T00:00:00Z",
    not_after: "2048-01-01T00:00:00Z",
    not_before_unix: 1514764800,
    not_after_unix: 2461449600,
    is_ca: true,
    sha256_fingerprint: "CA:9A:41:CB:AB:F6:C5:C5:D4:3C:C6:2A:AB:AD:2B:D1:23:52:3D:BB:27:07:BC:2B:26:55:BB:DC:D9:ED:9F:06",
};

/// Leaf signed by `CA`, valid for 25 years: the rep's server certificate.
pub const REP_SERVER: TestCert = TestCert {
    name: "rep",
    cert_pem: REP_SERVER_CERT_PEM,
    key_pem: REP_SERVER_KEY_PEM,
    subject_cn: "cell.service.cf.internal",
    issuer_cn: "vcap-diag test diego CA",
    subject_rfc2253: "CN=cell.service.cf.internal,O=vcap-diag test",
    issuer_rfc2253: "CN=vcap-diag test diego CA,O=vcap-diag test,C=US",
    sans: &["cell.service.cf.internal", "*.cell.service.cf.internal", "127.0.0.1"],
    serial_hex: "1001",
    not_before: "2024-01-01T00:00:00Z",
    not_after: "2049-01-01T00:00:00Z",
    not_before_unix: 1704067200,
    not_after_unix: 2493072000,
    is_ca: false,
    sha256_fingerprint: "46:BD:19:FE:8A:1D:44:4E:97:86:A1:4D:90:68:B4:D3:72:25:0D:C8:D8:FF:05:C8:1C:CA:B9:81:E4:58:25:9C",
};

/// Leaf signed by `CA`, EXPIRED since 2019-07-12: the rep's BBS client certificate.
pub const BBS_CLIENT: TestCert = TestCert {
    name: "bbs_client",
    cert_pem: BBS_CLIENT_CERT_PEM,
    key_pem: BBS_CLIENT_KEY_PEM,
    subject_cn: "bbs_client",
    issuer_cn: "vcap-diag test diego CA",
    subject_rfc2253: "CN=bbs_client,O=vcap-diag test",
    issuer_rfc2253: "CN=vcap-diag test diego CA,O=vcap-diag test,C=US",
    sans: &[],
    serial_hex: "1002",
    not_before: "2018-07-13T22:25:49Z",
    not_after: "2019-07-12T22:25:49Z",
    not_before_unix: 1531520749,
    not_after_unix: 1562970349,
    is_ca: false,
    sha256_fingerprint: "26:DD:C1:81:04:D2:6F:ED:49:D9:41:A1:59:48:BE:60:2E:35:F0:BE:25:61:7E:0C:A0:A0:4F:60:57:14:50:25",
};

/// Self-signed, valid for 30 years: metron_agent's certificate.
pub const METRON: TestCert = TestCert {
    name: "metron",
    cert_pem: METRON_CERT_PEM,
    key_pem: METRON_KEY_PEM,
    subject_cn: "metron",
    issuer_cn: "metron",
    subject_rfc2253: "CN=metron,O=vcap-diag test",
    issuer_rfc2253: "CN=metron,O=vcap-diag test",
    sans: &["metron"],
    serial_hex: "1003",
    not_before: "2024-01-01T00:00:00Z",
    not_after: "2054-06-01T00:00:00Z",
    not_before_unix: 1704067200,
    not_after_unix: 2663884800,
    is_ca: false,
    sha256_fingerprint: "A5:0C:08:36:51:B0:7D:66:E6:DE:20:26:36:28:7C:6B:1A:24:D8:84:FE:D7:3A:60:6E:00:AD:23:C5:C4:38:36",
};

/// Leaf signed by `CA`, expires on 2031-03-01 (a fixed date for "expires soon" tests with `--at`).
pub const ROUTE_EMITTER: TestCert = TestCert {
    name: "route_emitter",
    cert_pem: ROUTE_EMITTER_CERT_PEM,
    key_pem: ROUTE_EMITTER_KEY_PEM,
    subject_cn: "route_emitter",
    issuer_cn: "vcap-diag test diego CA",
    subject_rfc2253: "CN=route_emitter,O=vcap-diag test",
    issuer_rfc2253: "CN=vcap-diag test diego CA,O=vcap-diag test,C=US",
    sans: &[],
    serial_hex: "1004",
    not_before: "2025-03-01T00:00:00Z",
    not_after: "2031-03-01T00:00:00Z",
    not_before_unix: 1740787200,
    not_after_unix: 1930089600,
    is_ca: false,
    sha256_fingerprint: "A9:C2:DA:D9:6B:97:05:B6:E0:B6:C8:C1:67:94:A2:BB:A9:05:71:09:77:61:AC:07:34:36:4B:CF:FF:0D:F5:75",
};

/// All fixed test certificates.
pub const ALL: [TestCert; 5] = [CA, REP_SERVER, BBS_CLIENT, METRON, ROUTE_EMITTER];

/// PEM certificate of [`CA`].
pub const CA_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIDTjCCAjagAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwSDELMAkGA1UEBhMCVVMx
FzAVBgNVBAoMDnZjYXAtZGlhZyB0ZXN0MSAwHgYDVQQDDBd2Y2FwLWRpYWcgdGVz
dCBkaWVnbyBDQTAeFw0xODAxMDEwMDAwMDBaFw00ODAxMDEwMDAwMDBaMEgxCzAJ
BgNVBAYTAlVTMRcwFQYDVQQKDA52Y2FwLWRpYWcgdGVzdDEgMB4GA1UEAwwXdmNh
cC1kaWFnIHRlc3QgZGllZ28gQ0EwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQCnEZLt9nNRv8fHKLhOHXftkBXNfTpFHsBILELJGbc2vq4sp9qu4mUE4j6T
r/sSFigZzaXXzE1cgnXWeLJuGd94LQJNNU0loyUiKWXck8Mg3bkL8aRFnrEfJ/Gy
w7vuafiV/thzu+YA3i2CHWcZHB0Y9k6mhtjuNBzLFqjqjL0URb00IFADxk+sJ1y9
IuXMUkcL+tJedVYQikqUw/iReAFcjDvAsOjSt0ZeXXSBIzCt3pD8Hyhem0i5ctDD
ZRUJSYVSlzL8jvanErTNZ1Ou/Kwo6Mk6/v/fkyts0fjPU8JjGCvs7EBjNKadGi2l
1IMiKawwLvZEbRpjfPNDLAjdSJ1ZAgMBAAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8w
DgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBQMsRdT2afdgPW9RM9cDV6FnIHw1DAN
BgkqhkiG9w0BAQsFAAOCAQEAjgZ4dTCG+kBc8lOutv4JO7F9GIdohE+nghrs8U6z
TlZfOJ+oCTWN5LOjX5N9pZmW9MrWrsyRtGLgJqNIaCt+NryvP3VXSdgUyhulHoJh
guh5BcPMdFHbyiYPdd8n7WYEBYhFarKeoTEOmvfb7ICE987fb6OUeDDCefKPAo7y
js6/HzPQBWJRrt3FvCvkUoUA1yYWn0A5VRSUx2sVk5rqFu8F4Bu+uxgJgztoE52D
s0Ga5XduwGaYk/ZKlhgsdWzKFGByTQXCMSfsJpudv48C2SLnTLIG624vdC8KjETF
BjB6l6uu69k/20Qy5M9fNDTMPDZbrvo8ll0saIT+NdBIEA==
-----END CERTIFICATE-----
";

/// PEM private key of [`CA`]. A planted secret.
pub const CA_KEY_PEM: &str = "\
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEApxGS7fZzUb/Hxyi4Th137ZAVzX06RR7ASCxCyRm3Nr6uLKfa
ruJlBOI+k6/7EhYoGc2l18xNXIJ11niybhnfeC0CTTVNJaMlIill3JPDIN25C/Gk
RZ6xHyfxssO77mn4lf7Yc7vmAN4tgh1nGRwdGPZOpobY7jQcyxao6oy9FEW9NCBQ
A8ZPrCdcvSLlzFJHC/rSXnVWEIpKlMP4kXgBXIw7wLDo0rdGXl10gSMwrd6Q/B8o
XptIuXLQw2UVCUmFUpcy/I72pxK0zWdTrvysKOjJOv7/35MrbNH4z1PCYxgr7OxA
YzSmnRotpdSDIimsMC72RG0aY3zzQywI3UidWQIDAQABAoIBAB95rR/N7Z36Lq4z
2r1EygJkwebL7/1ztLAkPpTalmzm8bOSEB4gov2PjlCOuBOJPxbVaqhEYlLKdV7p
sFwT3ckrWaKoJxevK+DKwdkTsZBwlVtNtDA1nJMNGHkgbTiWmHHR6H+tZ8DEGvjH
h1Pwuv6n8NtozlfaU45jf4Fo8Hpv9oi7I2bTJovRKGDThj+HqgknZu9C1h8dijGX
c4hqlxARTOIG8SfP/uRS/+JvklWT3fkVzvEBnADVOQ+swB9q5qOGLjzpAAB1ldi9
TIYYsjI06qq4I/owkw7/YEBJaDaTqiUyVz2QESMCJ49QJDtxWYooQdybn3SsPto8
mxmDP30CgYEA61XhvKQuCtjn/RH4EoZxGcVTc6M/67HHDyTXuys74tqoMKodplfn
+BCbhUMwMLbRY6RSIavy6inOuH0HR76N2jTSukxDzRhWWGO6zhiad/agiw3uhoBe
RIiO1Eh4dLcVRFaCRyQfWVUoZv16h96h8cGsPJQSuqT9oM+kQH2Xhv8CgYEAtb0e
X5TJRpvk/bj6Xm/eCMnOfiuxtONspDkW3ayaTYSZcbavZEKY7WMthI7Ckg1bWlDG
04KQi8sEkkD6wsbDFwbcQg2h1NRuOtE8c0V0gXkl3m9ar8U/M5L0w4qIm1H84HqO
9CCOhI5Ec1bvpbmON+Gbqu3hfqbt4mqq5hU1c6cCgYBPFtDDfgW/PYBRq51MVIRk
Hc3a+g08X8W/UCl0TKZWqheGK1XFlptt4d7yXU8vv/EE5K95g3kiuyQvGk29DcxM
fh4n4AOVRM2X7QRVySz4jhkMQoVcDH4h2CbwLt7UkscB7XThBcHHWvg2DJAGY4rX
XbhNr5HPyi02wzG3Pr4S7wKBgQCUx+JZtWChoXZyEEFHlqVa5Htb50FwKM8EEoiZ
qXgZBfjokvo7RhoUHSFiZ8z57F1hLsfW2AilqOpxISko07da3o7qtGZL6izjke+/
HpkmdZt+4gKH6x62hhRDEOKM5S30R+FIEm8aLa30DrPaJHI9ZUEfSedU3CvbNB/8
hFhh+QKBgCeooCO4MXLDTkMRl9sWamyL8gZp3La57+TL8Q70pawu4hSmPFyU2H0y
MbZqiLfzPgIIBD5q12NgEC5314jbZLfFEe740bifo7kUSyeynV6mz6XeAbgG21vr
93KgIWitKpRGSGQWqIgTrSn7F01FY+TJGl7VY/fqmeAFqxfI7htd
-----END RSA PRIVATE KEY-----
";

/// PEM certificate of [`REP_SERVER`].
pub const REP_SERVER_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIDyDCCArCgAwIBAgICEAEwDQYJKoZIhvcNAQELBQAwSDELMAkGA1UEBhMCVVMx
FzAVBgNVBAoMDnZjYXAtZGlhZyB0ZXN0MSAwHgYDVQQDDBd2Y2FwLWRpYWcgdGVz
dCBkaWVnbyBDQTAeFw0yNDAxMDEwMDAwMDBaFw00OTAxMDEwMDAwMDBaMDwxFzAV
BgNVBAoMDnZjYXAtZGlhZyB0ZXN0MSEwHwYDVQQDDBhjZWxsLnNlcnZpY2UuY2Yu
aW50ZXJuYWwwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCxwK0UveFW
EqKfGmhMP4a8oxBxvtfuLYUn7VHIZMIv+ie5Gt79KrK0j4Xbi3Kfvp3wOLDXOkjY
R+bmxgIcvxdXWqJVbGZafGi3IJp0nkg9plLFr2eLJFwZiawMz4JHEJR8SaarDueq
7Wjjzq71ePhQQQxC5iSwj3pyAW5vA04336+avLqUSfK4rfun9qnU/DUI6obWZu7/
ugmlnaHt82DzxJJj/Lk9YN1CIWNYBGp2hXIOckoAMq0t6DwddMXelf7uZoLbX9Qg
R5unwHlkMirRy/YutV9F0Hi8XsY0OggpMKQqxTmd6dvE8tmzgWKS0qM6mYj52Dmk
1VQKfr8ILPhdAgMBAAGjgccwgcQwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMC
BaAwHQYDVR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBSsH8p0
6hqrcqm4b2zE/4n2hRWhVjAfBgNVHSMEGDAWgBQMsRdT2afdgPW9RM9cDV6FnIHw
1DBFBgNVHREEPjA8ghhjZWxsLnNlcnZpY2UuY2YuaW50ZXJuYWyCGiouY2VsbC5z
ZXJ2aWNlLmNmLmludGVybmFshwR/AAABMA0GCSqGSIb3DQEBCwUAA4IBAQBhyAwY
7PSN1p+VYhq0pEVObx8GdUKL/4TaFvFCPqfdXxMUqswmqg9kfGgbfu7J6zkzoc42
VXA5+64TbVOaER8F+JH5KJjsP/qIDMzcYKO3p7W3DN6MLylZcN4HpUOWPQDjs+/2
JaAPw5vBLExcAHzrGKxjHwkpmxWF9vvpuS/p4pOQhKRXRJI68BMOhoYOE1XxM5YY
JPl7c5/JsoGYFGjSqaLWJDmUzmYVH+DOaEG3yPXI13XsDlgW7ip9jpMKo2X+p+Rc
mQ4wS2h4X8r4RPCBscYo3vQthvbl0L8H+knViIh9ThJMhD+7mlG5tE4uwz1EFdsk
oSk1Zqg8txrHby8V
-----END CERTIFICATE-----
";

/// PEM private key of [`REP_SERVER`]. A planted secret.
pub const REP_SERVER_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCxwK0UveFWEqKf
GmhMP4a8oxBxvtfuLYUn7VHIZMIv+ie5Gt79KrK0j4Xbi3Kfvp3wOLDXOkjYR+bm
xgIcvxdXWqJVbGZafGi3IJp0nkg9plLFr2eLJFwZiawMz4JHEJR8SaarDueq7Wjj
zq71ePhQQQxC5iSwj3pyAW5vA04336+avLqUSfK4rfun9qnU/DUI6obWZu7/ugml
naHt82DzxJJj/Lk9YN1CIWNYBGp2hXIOckoAMq0t6DwddMXelf7uZoLbX9QgR5un
wHlkMirRy/YutV9F0Hi8XsY0OggpMKQqxTmd6dvE8tmzgWKS0qM6mYj52Dmk1VQK
fr8ILPhdAgMBAAECgf8be+9HMGo8eiUq9KpWdSbK2WvG1VC4mHvo8Ij0s0pTS3AD
mblg686LR1CAjHnsuUyHwubqYINi7bswyO0Kr4FXFcHZSNQ1VDHcyZhtmmERJzvP
1TntXxyJK6sD+ryUwGY1Jtjeb4TiqP15kTum46LWxeK0yrZhlnhtqEsAX0J44PCS
pAtsZAN5eCNK6C3PR22sVW9lHJFSDlcD75HB7Yanx4qbeuyqUs3oBE+fWH5dQGQa
yamGtYfaFNVvRh1wsQQ8e6Nm7G5DykBPDl7MMTcynNfLk54ba2jmESAK1LYx+jMU
HCNNddjncBFQpNNiJlogx+LbYX7HlRpOmUktHrECgYEA5DJv1AJod7fOHPPiZqFx
vDVokFmFMqIU7wyhH/sMF/8upHytivmrBv+9JyFRiTP/WGTp7VWSAXESRgHLJVqX
CUm0SiAig2R1KDAMvx7B+IAHG8kTfsrx33oaeCwgJwzgp7qXjzBljGD027q8VqiV
FOQgM5X2jbCXkDGbpxF7dRECgYEAx2jbgEsofX4FaJjXi6LWAGlBqqJOTlIQ7wUl
/1ncSgi0/kPeVb6ajAPzznIMIjFPF+XRAsmkE1wtr/DtwIu3BTOFOO+oB9XhcCIt
cv+Cb2SqLoeRMcAnP1ohqGhRXXA+V7Kfmb9XJbDVwQ1/sKgbskReS1ZMQuZD6knX
LNIdno0CgYAV3d9paXGpRyuxCo2/V+kWJ+gFLQ7eczmeTo+CCQR3qDRH/sqCbro8
yXTOsxqlEx580e64l2KOUM93deSJh8zBTxa/o6SrAo1XdINELSZZMat8th/wHnJe
/8xZh6DtHQbKC89KIVEZypCsHZC+nRjsD5AmYVBm820SnC5WLA6wgQKBgQCK2o42
GJ+6Or2DZyJ4XkwL/z81lU1XpjeaaIhb9fO6LbPydcnlBRNSuhHUSIAAcztzFZlk
CorQ3FgH8olrkR5BZe23htIHmrwfO/1P3XGzJXKHcej9rqLlr1pOjU1S9izDHmOa
SK1jVm6RvleS6IxYptjONupljzftdbt6v1jWpQKBgQDGxjFKXsNZEQZ8ppcvH83T
45/t7p1Iy1FyDOiJNiOv71AltCUXb8R2vcEm6k/opo1JiKXGXInesPsHpYk8qyxO
x90dpEjXJpx6o/fwylIK0EbyIDM41wPVTAF/AQOuNxfqH5TwcNX5GUlF4s45jZ5U
prCoRjec4kNKnH9dk2R1RA==
-----END PRIVATE KEY-----
";

/// PEM certificate of [`BBS_CLIENT`].
pub const BBS_CLIENT_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIICnDCCAYSgAwIBAgICEAIwDQYJKoZIhvcNAQELBQAwSDELMAkGA1UEBhMCVVMx
FzAVBgNVBAoMDnZjYXAtZGlhZyB0ZXN0MSAwHgYDVQQDDBd2Y2FwLWRpYWcgdGVz
dCBkaWVnbyBDQTAeFw0xODA3MTMyMjI1NDlaFw0xOTA3MTIyMjI1NDlaMC4xFzAV
BgNVBAoMDnZjYXAtZGlhZyB0ZXN0MRMwEQYDVQQDDApiYnNfY2xpZW50MFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAEOdFPxBuXvaWz06jqh9YVqx+wXlCekmporq/g
HnHOVIbYMg5tPldaXjx/A2Ze5iEeCuaHf/7OqLqyiEKRdbzt3qN1MHMwDAYDVR0T
AQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYD
VR0OBBYEFFOeSOAj6mB+sWZaYiOzkcieBRSOMB8GA1UdIwQYMBaAFAyxF1PZp92A
9b1Ez1wNXoWcgfDUMA0GCSqGSIb3DQEBCwUAA4IBAQAFKMKXRidf0mcDAfEkJyL+
s6t6t715XNvNW72d69KQE9F6mkjT7BY8na8Nmfopv8ftgnn7s+CZdVLs6O2hFe6m
BGTqRdyDB7qxcAp+fwnGDfMkMP1cgVJS2cQBmzZwdzUaEiRkfSX1UOjO3eocSqaB
YpFrZvtor/pkqF6yxjWzffrzftnH4aUrJbOPYAePqoGFXpHWrk9+eUI8kdk6EL0U
eCJ62DB4dFnXbV6o6jGnHSLqMtr0o9RBRkDye6arY4w069TkQIMZmMhJNTGPuCpl
adUPJrpaektjuSf5P38f2FJ0TWKMyWA87q3nj62EE+RO1gL7oouSP7HO5NlkamnU
-----END CERTIFICATE-----
";

/// PEM private key of [`BBS_CLIENT`]. A planted secret.
pub const BBS_CLIENT_KEY_PEM: &str = "\
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIG7szGB+php/scow5cKXV69HF4K0emTV8T3bipT61YcUoAoGCCqGSM49
AwEHoUQDQgAEOdFPxBuXvaWz06jqh9YVqx+wXlCekmporq/gHnHOVIbYMg5tPlda
Xjx/A2Ze5iEeCuaHf/7OqLqyiEKRdbzt3g==
-----END EC PRIVATE KEY-----
";

/// PEM certificate of [`METRON`].
pub const METRON_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIDQzCCAiugAwIBAgICEAMwDQYJKoZIhvcNAQELBQAwKjEXMBUGA1UECgwOdmNh
cC1kaWFnIHRlc3QxDzANBgNVBAMMBm1ldHJvbjAgFw0yNDAxMDEwMDAwMDBaGA8y
MDU0MDYwMTAwMDAwMFowKjEXMBUGA1UECgwOdmNhcC1kaWFnIHRlc3QxDzANBgNV
BAMMBm1ldHJvbjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBANTJvVlN
Tw6DQuVIeGq3RwTOgY9IdNCkE8NxLBdCTfjDVAI8FimNkbOJmql3RlakoNvEkbym
0NvBJOXlPe7YdJpS00Iv8kTIaxkpnNR7Oq36znDzt2uQpIufaefTNDb5zW4cjyAA
77I3ymqaWqlhiPwnutfKW3E5GoWFfBknWwaSAor7PrSd3Y2cMX0DutoY/6+zsaUU
OrJI5dEUcAfwd/GO+XrmzFyPEvtgK4aKWnhJ3ODhTh/07ZoFLzfIWm58z3fvS8Nk
pFQM1Bj+WddeCDjQfhMDpsJt+M4t2L5KxxknP/+2y1YaBHgFH1df9bqpDwM5Xa4p
GUoBCbUa+M5QlBkCAwEAAaNxMG8wDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMC
BaAwHQYDVR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBRKjYxn
f+TynOH6UIwM5NE4vTMOejARBgNVHREECjAIggZtZXRyb24wDQYJKoZIhvcNAQEL
BQADggEBACiVdO0FT7svSH9YSWXNsSinB7mcJKQOUxl9h+ZalZR1F/lApHe/O1t9
YBbNlDgCwTElP6Nu8QOfSjhc2SX8FmBAOl41IFViD+594vLTfip4C8qi0hMYXNcD
NcuGRLS9xoTW+HOJYj8vIAgVE0XTRpBbsgWr0fKYtNsHfClYzHOkfnQSSey0n+Bp
l86Y24TrnaYFfaLkrOzoM6qh9tQE6Dq0/58zhWyGuW1ieRDHScqfCblC8VIxOmfp
UIUgu814BP2A3WKE2dAuxrpSX+1tj0W/+yQ9kYlBWCR6+X3ssapTwoE/LYTwZ7jj
00QxbYbsqCsajwdVOYmin2a7GBceFp0=
-----END CERTIFICATE-----
";

/// PEM private key of [`METRON`]. A planted secret.
pub const METRON_KEY_PEM: &str = "\
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA1Mm9WU1PDoNC5Uh4ardHBM6Bj0h00KQTw3EsF0JN+MNUAjwW
KY2Rs4maqXdGVqSg28SRvKbQ28Ek5eU97th0mlLTQi/yRMhrGSmc1Hs6rfrOcPO3
a5Cki59p59M0NvnNbhyPIADvsjfKappaqWGI/Ce618pbcTkahYV8GSdbBpICivs+
tJ3djZwxfQO62hj/r7OxpRQ6skjl0RRwB/B38Y75eubMXI8S+2ArhopaeEnc4OFO
H/TtmgUvN8habnzPd+9Lw2SkVAzUGP5Z114IONB+EwOmwm34zi3YvkrHGSc//7bL
VhoEeAUfV1/1uqkPAzldrikZSgEJtRr4zlCUGQIDAQABAoIBAAVG/xeTxaQLIJm5
5UWlR8FAY2FztzT0+soAOKsXgYJLyt220ohjitNodGHjU8bilJw6uPAUNY4bsU/z
0mhF7UdmCjgEIyauT0yrleiFqWAG/j96JeiIqPIPCTP/DpaV9bC3S9vr9gXmIRKp
gxncEccKL7W6HrA1Tbl1xO0FRzpHkWKma0wmFSSaCld20bjG9OBES8vtPuMLquGg
axVpjTSYU3y6e8iS/2H4anxMuq/BGQG9xj1yNPq2mZKI6OEqZrB/2kKZOke/O6eR
lFaVbxT6p3lEJSb8wrOnq1tTagD2E2s4g01nfWOLR1ARvVWHGYePZfekrNWaOfBp
3psXxBECgYEA/ljRZAIXExcQ/f8PvvGroi4qG0xDBYN245wiRgdX1slbdQ82luMf
XwJTOSGQDmCSIZague13PPi5a4aVZ1kvnCrxhItOTCJlUAcRfSzS4t1UJMSDuTt6
fraVllpkYIMZu304hDCfQeZiIcXzbOgWbPKORK+v5Mm6N7RHoeBNhHECgYEA1ivG
rPO2QGIoYKKlOS5FX/2pUGGDNuivGBKuccVu0FhfSjcMP08kYmlXh/K3KgQGSLaC
p2rJYafCwGwoJ4oLkISub1w8Zn3D4bx7nOlD6MCfvDX4QKrbCMhfLsMlaKI1Ec0u
AdvIFjeE5AmM6pbZvHsIc+LKKikhCHADRraDPikCgYAXxVtEeoGHkjdPVcA1+0Ys
MR5UUMtOv5uj6Bq36sXF2CnJBfP3JCDxczkt9LoO7e2aYAaDefMT6rcBmqFp+Ebf
1I+f8JkPuoM3eIGk7kSDWWYczZT2Ad4P66aNV8Nb1cTY5fobOKQZt5tiRqraedJm
ukCboMPSoRvbSukK8virsQKBgD8FsLfyG15ExCbzlXUHFakShsE9gJQm0mdeD/Ew
rNQoPRokqrjye/1tjDFYDegSORsqgbXsKYhQCnH/Ia3I5HBJat8gIDH0rjB9+04I
IlCaZibHJt84p62k8MVc7WQl30H2w6QOXYmUGsnTuaDKdRYOikU3pk/TvIG0HHKx
gFtJAoGBAIcbn8d47hi+rAyGAyc5wadu8+yBWCVO+NEHKHdJFEXB5CiM5OGSQ6W0
s+YLGePOebNK7yz0VV7F3YVa+kIzr2I7hkBuQMAFjsS32g8ycpDJaQ0iAEc5cP9Q
oQiYfSHm5FSg+FgWLxgt2Lh9jOD79EaVbZ3gBIih/PQwFi/qdJmp
-----END RSA PRIVATE KEY-----
";

/// PEM certificate of [`ROUTE_EMITTER`].
pub const ROUTE_EMITTER_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIICnzCCAYegAwIBAgICEAQwDQYJKoZIhvcNAQELBQAwSDELMAkGA1UEBhMCVVMx
FzAVBgNVBAoMDnZjYXAtZGlhZyB0ZXN0MSAwHgYDVQQDDBd2Y2FwLWRpYWcgdGVz
dCBkaWVnbyBDQTAeFw0yNTAzMDEwMDAwMDBaFw0zMTAzMDEwMDAwMDBaMDExFzAV
BgNVBAoMDnZjYXAtZGlhZyB0ZXN0MRYwFAYDVQQDDA1yb3V0ZV9lbWl0dGVyMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvjhCKGyxcd53Sy0qRRE/Uao+AaeIJbVf
K7tdDM0L2DVZD7IgC+v6bnm1TGrJyikOJ17yDNpJNLzs9bFvY9Gx6KN1MHMwDAYD
VR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwIw
HQYDVR0OBBYEFA1JCzyKj+xe6os5oDfIphNcL5EoMB8GA1UdIwQYMBaAFAyxF1PZ
p92A9b1Ez1wNXoWcgfDUMA0GCSqGSIb3DQEBCwUAA4IBAQBcXdyEMDhctEJRyDhH
zdBdVo/vQHgRKXwzl1649qYz+35OsKbCZnqF/gmIL4M0MVsf0vuSGoXmhBu0EgMd
Lebe7PnsACcG3RgVulaJX0eHRPZ2ZfaoergLntSNyjbANIddIRsg+IQBiXuxbD2o
2fL/ZaFDCxw0RL0o83Vsm0WOkVO2ouqE510xPHFaisOXvrGnV9pitaoPxthbLJBi
XMsgdYmGlZW/9nb9r9OF3ayqoxZLGadi80RsAlt51rMQ/dRyEYDw2t9tbg5PgEI2
SIFU2dU0/ccnVfbBDlxjaEAmRml9Jq0EWVp6ji4f5aOGivw1syBPNKE/hVTrbygu
CyI8
-----END CERTIFICATE-----
";

/// PEM private key of [`ROUTE_EMITTER`]. A planted secret.
pub const ROUTE_EMITTER_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbwbi/A58Z1WoneSr
gZdKMa8wmdg7HQZ/aMqSJ4wijyyhRANCAAS+OEIobLFx3ndLLSpFET9Rqj4Bp4gl
tV8ru10MzQvYNVkPsiAL6/puebVMasnKKQ4nXvIM2kk0vOz1sW9j0bHo
-----END PRIVATE KEY-----
";

/// The agent's NATS (mbus) TLS private key planted in `settings.json` (EC P-256, PKCS#8). A planted secret.
pub const MBUS_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgz+aFmkThuITxRfik
zOFawfO+f7PQtKSQjRh/Wh9VjR6hRANCAASXSE/Rov+FZ9cuMHzw1Nf5u0C80JS8
9a1RSNnoUNtoixZnOkk9u80WhPxfvoe7VpIyFuqX52jL14LNnkT7Ixgx
-----END PRIVATE KEY-----
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pems_are_well_formed() {
        for c in ALL {
            assert!(
                c.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"),
                "{}",
                c.name
            );
            assert!(
                c.cert_pem.ends_with("-----END CERTIFICATE-----\n"),
                "{}",
                c.name
            );
            assert!(c.key_pem.contains("PRIVATE KEY-----\n"), "{}", c.name);
            assert!(c.not_before_unix < c.not_after_unix, "{}", c.name);
        }
        const {
            assert!(
                BBS_CLIENT.not_after_unix < 1_600_000_000,
                "BBS_CLIENT must be long expired"
            )
        };
        assert!(MBUS_KEY.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }
}
