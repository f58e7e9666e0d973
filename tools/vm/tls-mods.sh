#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tls-mods.sh KERNEL DIR: kernel TLS for a test VM (tools/vm/guest-mods.sh):
# tls.ko and the ciphers khttpd-fallbackd may hand it (AES-GCM with the
# generic AES and GHASH, since TCG's CPU has no AES-NI; ChaCha20-Poly1305).
# The test VMs have no /lib/modules, so nothing is loaded on demand.
exec "$(dirname "${BASH_SOURCE[0]}")/guest-mods.sh" "${1:?usage: tls-mods.sh KERNEL DIR}" \
	"${2:?usage: tls-mods.sh KERNEL DIR}" tls gcm ctr ghash_generic aes_generic \
	chacha20poly1305 chacha_generic poly1305_generic
