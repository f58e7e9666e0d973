// SPDX-License-Identifier: GPL-2.0
/*
 * File lookup for the core, confined to the document root by the kernel's
 * own path walk.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/stat.h>
#include <linux/version.h>

#include "file_cache.h"
#include "kapi_kernel.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
/* Exported on 6.1 but declared only in fs/internal.h there. */
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

unsigned int kh_root_lookup_flags(bool crossmounts)
{
	/*
	 * LOOKUP_BENEATH: ".." above the root and absolute symlinks fail
	 * (-EXDEV); symlinks that stay inside the root are followed. No magic
	 * links (/proc/self/fd/...); no other mount unless allowed.
	 */
	return LOOKUP_FOLLOW | LOOKUP_BENEATH | LOOKUP_NO_MAGICLINKS |
	       (crossmounts ? 0 : LOOKUP_NO_XDEV);
}

int kh_file_open(struct kh_root *root, const char *name, struct kh_file **out,
		 struct kh_file_info *info)
{
	size_t len = strlen(name);
	struct file *cached;
	struct path path;
	struct kstat stat;
	unsigned int rename_seq;
	int err;

	*out = NULL;
	if (root->cache && khttpd_fc_get(root->cache, name, len, &cached, info)) {
		*out = kh_from_file(cached);
		return 0;
	}

	rename_seq = read_seqbegin(&rename_lock);
	err = vfs_path_lookup(root->path.dentry, root->path.mnt, name,
			      root->lookup_flags, &path);
	if (err)
		return err;

	err = vfs_getattr(&path, &stat, STATX_BASIC_STATS, AT_STATX_SYNC_AS_STAT);
	if (err)
		goto out;
	info->size = stat.size;
	info->mtime_sec = stat.mtime.tv_sec;
	info->mtime_nsec = stat.mtime.tv_nsec;
	info->mode = stat.mode;
	info->ino = stat.ino;

	/* Never open anything else: a FIFO or device could block or act. */
	if (S_ISREG(stat.mode)) {
		/* O_NOATIME: serving a file is not an access worth a write. */
		struct file *file = dentry_open(&path, O_RDONLY | O_LARGEFILE | O_NOATIME,
						current_cred());

		if (IS_ERR(file)) {
			err = PTR_ERR(file);
		} else {
			*out = kh_from_file(file);
			if (root->cache)
				khttpd_fc_put(root->cache, name, len, file, info,
					      rename_seq, stat.ctime);
		}
	}
out:
	path_put(&path);
	return err;
}

long kh_file_read(struct kh_file *file, kh_u64 offset, void *buf, kh_size len)
{
	loff_t pos = offset; /* the file may be shared (open-file cache): no f_pos */

	return kernel_read(kh_to_file(file), buf, len, &pos);
}

void kh_file_close(struct kh_file *file)
{
	fput(kh_to_file(file));
}
