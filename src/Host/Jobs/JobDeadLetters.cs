using Akka.Actor;
using Akka.Event;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Answers the calls to the jobs that no actor will answer: when the manager (or a job) stops on a journal failure,
/// the requests it had taken but not handled yet (Akka.Persistence holds them while a write is in flight) become dead
/// letters. Without this their callers would wait the whole Ask timeout for a misleading "did not answer"; with it
/// they get <see cref="JobsUnavailable"/> at once (503, try again), like those arriving while the manager is stopped.
/// </summary>
internal sealed class JobDeadLetters : ReceiveActor
{
    private static readonly JobsUnavailable Lost = new("The job manager stopped before it could answer (its journal failed; see the server log); it starts again in a few seconds: try again then.");

    public JobDeadLetters()
    {
        Receive<DeadLetter>(dead =>
        {
            // Only callers waiting on an Ask (its temporary actor): never the manager or a job telling each other.
            if (dead.Message is SubmitJob or ListJobs or ToJob or DeleteEndedJob or IJobCommand
                && !dead.Sender.IsNobody() && dead.Sender.Path.Elements is ["temp", ..])
            {
                dead.Sender.Tell(Lost);
            }
        });
    }

    /// <inheritdoc />
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    /// <inheritdoc />
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
