using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Writes the jobs' journal records as JSON under stable names of ours (<c>job-submitted.v1</c>, …) so the journal
/// does not depend on .NET type or assembly names (Akka's default serializer stores those). Bound to
/// <see cref="IJobRecord"/> in the jobs' HOCON (<see cref="JobPersistence"/>).
/// </summary>
internal sealed class JobEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's id in Akka's registry (ModelActors' own range, next to the model message serializer's 4710).</summary>
    public const int Id = 4711;

    /// <summary>Web defaults, without null members (an item's absent error or result): the answers are most of the journal.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static readonly Dictionary<string, Type> ByManifest = new(StringComparer.Ordinal)
    {
        ["job-submitted.v1"] = typeof(JobSubmitted),
        ["job-started.v1"] = typeof(JobStarted),
        ["job-items-done.v1"] = typeof(JobItemsDone),
        ["job-ended.v1"] = typeof(JobEnded),
        ["job-snapshot.v1"] = typeof(JobSnapshot),
        ["job-admitted.v1"] = typeof(JobAdmitted),
        ["job-closed.v1"] = typeof(JobClosed),
        ["job-removed.v1"] = typeof(JobRemoved),
        ["job-manager-snapshot.v1"] = typeof(JobManagerSnapshot),
    };

    private static readonly Dictionary<Type, string> ByType = ByManifest.ToDictionary(p => p.Value, p => p.Key);

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var manifest) ? manifest : throw new ArgumentException($"The job serializer cannot write {o.GetType()}.", nameof(o));

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) =>
        ByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new ArgumentException($"The job record '{manifest}' is empty.", nameof(bytes))
            : throw new ArgumentException($"The job serializer cannot read a record named '{manifest}' (written by a newer version?).", nameof(manifest));
}
