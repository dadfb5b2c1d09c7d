#ifndef PINTEREST_CONNECTION_COPENSSL_SHIM_H
#define PINTEREST_CONNECTION_COPENSSL_SHIM_H

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

#endif
