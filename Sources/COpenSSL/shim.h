#ifndef PINTEREST_CONNECTION_COPENSSL_SHIM_H
#define PINTEREST_CONNECTION_COPENSSL_SHIM_H

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/// Sets the IV length of an AES-GCM context: EVP_CIPHER_CTX_ctrl is a generic control call
/// whose meaning depends on constants Swift sees as plain integers.
static inline int copenssl_gcm_set_iv_length(EVP_CIPHER_CTX *context, int length) {
    return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, length, NULL);
}

static inline int copenssl_gcm_get_tag(EVP_CIPHER_CTX *context, int length, unsigned char *tag) {
    return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, length, tag);
}

static inline int copenssl_gcm_set_tag(EVP_CIPHER_CTX *context, int length, unsigned char *tag) {
    return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, length, tag);
}

/// Creates an HMAC-SHA256 context already keyed, to duplicate for each message: OpenSSL 3's one-shot
/// HMAC() looks the algorithms up by name and hashes the key pads on every call. NULL on failure.
static inline EVP_MAC_CTX *copenssl_hmac_sha256_keyed(const unsigned char *key, size_t length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (context == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(context, key, length, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

#endif
