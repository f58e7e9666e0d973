/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open-file cache: document-root-relative path -> open file + metadata.
 */
#ifndef KHTTPD_FILE_CACHE_H
#define KHTTPD_FILE_CACHE_H

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/time64.h>

#include "khttpd/kapi.h"

struct khttpd_file_cache;

/* A cache of at most @max_entries files; NULL if @max_entries is 0. */
struct khttpd_file_cache *khttpd_fc_create(unsigned int max_entries, int *err);
void khttpd_fc_destroy(struct khttpd_file_cache *fc);

/*
 * @path: where a path walk of @name just led. On a hit that is still valid
 * (the rules in file_cache.c), returns true with a new reference to the
 * file in *@file and its metadata in *@info; the caller still checks the
 * file's permission.
 */
bool khttpd_fc_get(struct khttpd_file_cache *fc, const char *name, size_t len,
		   const struct path *path, struct file **file, struct kh_file_info *info);

struct khttpd_stats;
/* Counts @fc's hits and misses into @stats (a namespace's, stats.h). */
void khttpd_fc_count_into(struct khttpd_file_cache *fc, struct khttpd_stats __percpu *stats);

/* Files in the cache now (0 for NULL: caching off). */
unsigned int khttpd_fc_entries(struct khttpd_file_cache *fc);

/*
 * Remembers @file (the cache takes its own reference) with @info and
 * @ctime from the getattr done before it was opened.
 */
void khttpd_fc_put(struct khttpd_file_cache *fc, const char *name, size_t len,
		   struct file *file, const struct kh_file_info *info,
		   struct timespec64 ctime);

#endif /* KHTTPD_FILE_CACHE_H */
