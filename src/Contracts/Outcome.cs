namespace ModelActors;

/// <summary>One item's outcome in a call that does not throw on the first failure: a result, or the exception that item got.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly record struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Exception? exception)
    {
        _value = value;
        Exception = exception;
    }

    /// <summary>The item's failure, or <see langword="null"/> when it succeeded.</summary>
    public Exception? Exception { get; }

    /// <summary>Whether the item got a result.</summary>
    public bool IsSuccess => Exception is null;

    /// <summary>The result.</summary>
    /// <exception cref="InvalidOperationException">The item failed; its exception is the inner exception.</exception>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException("The item failed: " + Exception!.Message, Exception);

    /// <summary>A successful outcome.</summary>
    /// <param name="value">The result.</param>
    /// <returns>The outcome.</returns>
    public static Outcome<T> Success(T value) => new(value, null);

    /// <summary>A failed outcome.</summary>
    /// <param name="exception">The item's failure.</param>
    /// <returns>The outcome.</returns>
    public static Outcome<T> Failure(Exception exception) => new(default, exception ?? throw new ArgumentNullException(nameof(exception)));
}
