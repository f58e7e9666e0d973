// SPDX-License-Identifier: GPL-2.0
/*
 * One khttpd per network namespace: the pernet operations that make and
 * destroy each namespace's instance (net.h).
 *
 * A namespace's server listens in that namespace, on kernel sockets, which
 * hold no reference on it (a server must not keep its own namespace
 * alive: `ip netns del` would then never end it). So the namespace's
 * .exit stops the server, every generation, connection, queued hand-over
 * and the courier, before it returns: nothing of it outlives the
 * namespace. At rmmod, unregistering runs .exit for every namespace still
 * alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "net.h"
#include "stats.h"

static unsigned int khttpd_net_id;

struct khttpd_net *khttpd_net(const struct net *net)
{
	return net_generic(net, khttpd_net_id);
}

/* The pernet data is zeroed memory of sizeof(struct khttpd_net). */
static int __net_init khttpd_net_init(struct net *net)
{
	struct khttpd_net *kn = khttpd_net(net);
	int err;

	kn->net = net;
	mutex_init(&kn->lock);
	kn->config = khttpd_default_config;
	mutex_init(&kn->retire_lock);
	INIT_LIST_HEAD(&kn->retiring);
	khttpd_server_net_init(kn);
	khttpd_fallback_setup(&kn->fb, &kn->config.handover_queue);
	/* The initial namespace's directory is main.c's (access_log is in it). */
	kn->proc_dir = net_eq(net, &init_net) ? khttpd_proc_dir :
						proc_mkdir("khttpd", net->proc_net);
	if (!kn->proc_dir)
		return -ENOMEM;
	err = khttpd_stats_init(kn);
	if (err)
		goto err_proc;
	err = khttpd_fallback_init(&kn->fb, kn->proc_dir);
	if (err)
		goto err_stats;
	err = khttpd_sysctl_register(kn);
	if (err)
		goto err_fallback;
	return 0;

err_fallback:
	khttpd_fallback_exit(&kn->fb, kn->proc_dir);
err_stats:
	khttpd_stats_exit(kn);
err_proc:
	if (!net_eq(net, &init_net))
		proc_remove(kn->proc_dir);
	return err;
}

static void __net_exit khttpd_net_exit(struct net *net)
{
	struct khttpd_net *kn = khttpd_net(net);

	/* No sysctl write can start the server again after this. */
	khttpd_sysctl_unregister(kn);
	mutex_lock(&kn->lock);
	khttpd_server_stop(kn);
	mutex_unlock(&kn->lock);
	/* Ends a daemon's registration and waits for its courier to leave. */
	khttpd_fallback_exit(&kn->fb, kn->proc_dir);
	khttpd_stats_exit(kn); /* no one counts: the workers are gone */
	if (!net_eq(net, &init_net))
		proc_remove(kn->proc_dir);
}

static struct pernet_operations khttpd_net_ops = {
	.init = khttpd_net_init,
	.exit = khttpd_net_exit,
	.id = &khttpd_net_id,
	.size = sizeof(struct khttpd_net),
};

int khttpd_net_register(void)
{
	return register_pernet_subsys(&khttpd_net_ops);
}

void khttpd_net_unregister(void)
{
	unregister_pernet_subsys(&khttpd_net_ops);
}
