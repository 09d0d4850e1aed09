using Akka.Actor;
using Akka.Event;

namespace ModelActors.Host.Jobs;

/// <summary>
/// The jobs' actors: one per job, started when a message comes for it (after a passivation or a restart, from its journal),
/// the messages for one that is stopping held until it has stopped, and one that stopped while its job runs started again.
/// </summary>
internal sealed partial class JobManager
{
    private IActorRef Child(string id)
    {
        if (Context.Child(id) is var child && !child.IsNobody())
        {
            return child;
        }

        child = Context.ActorOf(JobActor.Props(id, isNew: false, _library, _versions, _options.Jobs, _time), id);
        Context.Watch(child);
        if (_runningJobs.Contains(id))
        {
            child.Tell(RunJob.Instance); // started again (after a failure, or to take messages): it was running
        }

        return child;
    }

    /// <summary>Gives job <paramref name="id"/>'s actor a message, starting it if needed; held while it is stopping.</summary>
    private void Deliver(string id, object message, IActorRef sender)
    {
        if (_passivating.TryGetValue(id, out var held))
        {
            held.Add((message, sender));
            return;
        }

        Child(id).Tell(message, sender);
    }

    /// <summary>
    /// A job's actor stopped: after a passivation, the messages held for it go to a new one; an unfinished job whose actor
    /// stopped (its journal refused or failed a write) starts again from its journal after a second, doubling up to a
    /// minute while it stops again without writing a chunk (a full disk: each start runs its chunk again for nothing).
    /// </summary>
    private void Stopped(Terminated terminated)
    {
        var id = terminated.ActorRef.Path.Name;
        if (_passivating.Remove(id, out var held))
        {
            foreach (var (message, sender) in held)
            {
                Child(id).Tell(message, sender);
            }

            if (_runningJobs.Contains(id))
            {
                Child(id); // let run while it stopped (it was waiting): a new actor, told to run
            }

            return;
        }

        if (_jobs.TryGetValue(id, out var job) && job.Ended is null && !_paused && !_expiring.Contains(id))
        {
            var stops = _restarts[id] = _restarts.GetValueOrDefault(id) + 1;
            var pause = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, stops - 1)));
            _log.Warning("Job {0}'s actor stopped while the job runs (its journal failed a write?); it starts again from its journal in {1} s ({2} stop(s) without a chunk written)", id, pause.TotalSeconds, stops);
            Timers.StartSingleTimer("restart-" + id, new RestartJob(id), pause);
        }
    }
}
