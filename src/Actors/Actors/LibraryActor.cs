using Akka.Actor;
using Akka.Event;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// The library's actor (<c>/user/model-actors</c> by default): the parent of one model actor per
/// registered model; answers <see cref="DescribeModels"/>. It fails, with a shutdown error, work that reached Akka's dead letters because
/// its replica stopped first, so no caller waits for its deadline after an abrupt stop.
/// </summary>
internal sealed class LibraryActor : UntypedActor
{
    private readonly Dictionary<string, ModelEntry> _byActorName = new(StringComparer.Ordinal);

    // Removals answered once their actors have terminated (an actor's name is free only then).
    private readonly List<(HashSet<IActorRef> Waiting, IActorRef ReplyTo)> _removals = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>The actor name of model <paramref name="model"/> under the library actor (escaped for an actor path).</summary>
    public static string ActorName(string model) => Uri.EscapeDataString(model).Replace("$", "%24", StringComparison.Ordinal);

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>A model actor that throws has a bug: it is stopped (and logged), the other models go on.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StartModels start:
                try
                {
                    foreach (var entry in start.Entries)
                    {
                        var name = ActorName(entry.Name);
                        entry.Attach(Context.ActorOf(entry.CreateActorProps(), name));
                        _byActorName[name] = entry;
                    }

                    Sender.Tell(new ModelsStarted());
                }
                catch (InvalidActorNameException exception)
                {
                    Sender.Tell(new Status.Failure(exception)); // a name still taken by an actor that has not finished stopping
                }

                break;
            case RemoveModels remove:
                var waiting = new HashSet<IActorRef>();
                foreach (var name in remove.Names.Select(ActorName))
                {
                    if (_byActorName.Remove(name) && Context.Child(name) is { } child && !child.IsNobody())
                    {
                        Context.Watch(child);
                        Context.Stop(child);
                        waiting.Add(child);
                    }
                }

                if (waiting.Count == 0)
                {
                    Sender.Tell(new ModelsRemoved());
                }
                else
                {
                    _removals.Add((waiting, Sender));
                }

                break;
            case Terminated terminated:
                foreach (var removal in _removals.Where(r => r.Waiting.Remove(terminated.ActorRef) && r.Waiting.Count == 0).ToList())
                {
                    _removals.Remove(removal);
                    removal.ReplyTo.Tell(new ModelsRemoved());
                }

                break;
            case DescribeModels:
                Sender.Tell((IReadOnlyList<ModelDescription>)[.. _byActorName.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.Describe())]);
                break;
            case DeadLetter dead:
                Abandon(dead);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Abandon(DeadLetter dead)
    {
        var mine = Self.Path.Elements;
        var path = dead.Recipient.Path.Elements;
        if (path.Count <= mine.Count || !path.Take(mine.Count).SequenceEqual(mine, StringComparer.Ordinal))
        {
            return;
        }

        if (_byActorName.TryGetValue(path[mine.Count], out var entry) && entry.AbandonDead(dead.Message, dead.Sender))
        {
            _log.Debug("A message to model '{0}' reached dead letters; answered with a shutdown error", entry.Name);
        }
    }
}
