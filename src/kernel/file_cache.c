// SPDX-License-Identifier: GPL-2.0
/*
 * Open-file cache: saves the path walk, the getattr and the open for files
 * served again. An entry maps a path relative to the document root to an
 * open file and its metadata, and is used only while it provably still
 * describes what a fresh lookup would find:
 *
 *  - no rename happened anywhere since its lookup (the global rename_lock
 *    sequence is unchanged), so no directory on its path moved and no other
 *    file was renamed over it;
 *  - its dentry is still hashed, so it was not deleted;
 *  - its inode's ctime is unchanged, so contents, size and mode are the
 *    same (writes and chmod update ctime).
 *
 * A stale entry is dropped and the caller walks the path again. Memory is
 * bounded by the entry count (sysctl filecache_entries), least recently
 * used first out.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/version.h>

#include "file_cache.h"

#define KHTTPD_FC_HASH_BITS 10

struct khttpd_fc_entry {
	struct hlist_node node;
	struct list_head lru; /* in khttpd_file_cache.lru, newest first */
	struct file *file;
	struct kh_file_info info;
	struct timespec64 ctime;
	unsigned int rename_seq;
	unsigned int hash;
	size_t len;
	char name[];
};

struct khttpd_file_cache {
	spinlock_t lock;
	unsigned int max_entries;
	unsigned int nr_entries;
	struct list_head lru;
	DECLARE_HASHTABLE(table, KHTTPD_FC_HASH_BITS);
};

static struct timespec64 khttpd_inode_ctime(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return inode_get_ctime(inode);
#else
	return inode->i_ctime;
#endif
}

struct khttpd_file_cache *khttpd_fc_create(unsigned int max_entries, int *err)
{
	struct khttpd_file_cache *fc;

	*err = 0;
	if (!max_entries)
		return NULL;
	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc) {
		*err = -ENOMEM;
		return NULL;
	}
	spin_lock_init(&fc->lock);
	fc->max_entries = max_entries;
	INIT_LIST_HEAD(&fc->lru);
	hash_init(fc->table);
	return fc;
}

/* Unlinks @e (under fc->lock) onto @dead, to be freed after unlocking. */
static void khttpd_fc_unlink(struct khttpd_file_cache *fc,
			     struct khttpd_fc_entry *e, struct list_head *dead)
{
	hash_del(&e->node);
	list_move(&e->lru, dead);
	fc->nr_entries--;
}

static void khttpd_fc_free_list(struct list_head *dead)
{
	struct khttpd_fc_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, dead, lru) {
		fput(e->file);
		kfree(e);
	}
}

static struct khttpd_fc_entry *khttpd_fc_find(struct khttpd_file_cache *fc,
					      const char *name, size_t len,
					      unsigned int hash)
{
	struct khttpd_fc_entry *e;

	hash_for_each_possible(fc->table, e, node, hash)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static bool khttpd_fc_valid(const struct khttpd_fc_entry *e)
{
	struct timespec64 ctime = khttpd_inode_ctime(file_inode(e->file));

	return !read_seqretry(&rename_lock, e->rename_seq) &&
	       !d_unhashed(e->file->f_path.dentry) &&
	       timespec64_equal(&ctime, &e->ctime);
}

bool khttpd_fc_get(struct khttpd_file_cache *fc, const char *name, size_t len,
		   struct file **file, struct kh_file_info *info)
{
	unsigned int hash = full_name_hash(fc, name, len);
	struct khttpd_fc_entry *e;
	LIST_HEAD(dead);
	bool hit = false;

	spin_lock(&fc->lock);
	e = khttpd_fc_find(fc, name, len, hash);
	if (e && khttpd_fc_valid(e)) {
		*file = get_file(e->file);
		*info = e->info;
		list_move(&e->lru, &fc->lru);
		hit = true;
	} else if (e) {
		khttpd_fc_unlink(fc, e, &dead);
	}
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
	return hit;
}

void khttpd_fc_put(struct khttpd_file_cache *fc, const char *name, size_t len,
		   struct file *file, const struct kh_file_info *info,
		   unsigned int rename_seq, struct timespec64 ctime)
{
	unsigned int hash = full_name_hash(fc, name, len);
	struct khttpd_fc_entry *e, *old;
	LIST_HEAD(dead);

	e = kmalloc(struct_size(e, name, len), GFP_KERNEL);
	if (!e)
		return; /* caching is optional */
	e->file = get_file(file);
	e->info = *info;
	e->ctime = ctime;
	e->rename_seq = rename_seq;
	e->hash = hash;
	e->len = len;
	memcpy(e->name, name, len);

	spin_lock(&fc->lock);
	old = khttpd_fc_find(fc, name, len, hash); /* another worker's */
	if (old)
		khttpd_fc_unlink(fc, old, &dead);
	hash_add(fc->table, &e->node, hash);
	list_add(&e->lru, &fc->lru);
	fc->nr_entries++;
	while (fc->nr_entries > fc->max_entries)
		khttpd_fc_unlink(fc, list_last_entry(&fc->lru, struct khttpd_fc_entry, lru),
				 &dead);
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
}

void khttpd_fc_destroy(struct khttpd_file_cache *fc)
{
	LIST_HEAD(dead);

	if (!fc)
		return;
	/* No worker runs any more: no lock needed, but keep lockdep happy. */
	spin_lock(&fc->lock);
	list_splice_init(&fc->lru, &dead);
	fc->nr_entries = 0;
	spin_unlock(&fc->lock);
	khttpd_fc_free_list(&dead);
	kfree(fc);
}
