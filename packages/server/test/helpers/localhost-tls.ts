/**
 * A self-signed certificate for `localhost` (valid until 2126) and its key, for tests of TLS
 * that a plugin does end to end. Made with:
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost -addext subjectAltName=DNS:localhost`
 */
export const LOCALHOST_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUZDMr0lptdhqy/1fuM7UCbkC1DDYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNTE5NDkxM1oYDzIxMjYxMTEx
MTk0OTEzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASUDpSBWnXB5ppoLqSs1CMa1K7IeakXWD9M6HEjr5Bo8J+GV2ruCHgI
wcNXEdrrxBMpotmN4XqXoTTSVWpyttX4o2kwZzAdBgNVHQ4EFgQUdDO/SdmvDxyl
m5tEotpKYS5UfHAwHwYDVR0jBBgwFoAUdDO/SdmvDxylm5tEotpKYS5UfHAwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIhAL/zosdChk/rsC6S2TThnPtnftAXmaq8792Cmu69qiGLAiAM7+tkdtQP
GZHbi4pixyRMONfmKOhVOpktKTbG7ln/UA==
-----END CERTIFICATE-----`;

export const LOCALHOST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmOPLQHpVwyixppwV
ylrjZa8v2hHe5MjlmYs2TqgBUMShRANCAASUDpSBWnXB5ppoLqSs1CMa1K7IeakX
WD9M6HEjr5Bo8J+GV2ruCHgIwcNXEdrrxBMpotmN4XqXoTTSVWpyttX4
-----END PRIVATE KEY-----`;
