using Mailsmith.Storage;

namespace Mailsmith.Tests.Storage;

// Customer keeps its optional instants packed (ticks and an offset); what the properties return must be what was set.
public sealed class CustomerStorageTests
{
    private static readonly DateTimeOffset Signup = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.FromMinutes(330));
    private static readonly DateTimeOffset Consent = new(2025, 3, 5, 0, 0, 0, TimeSpan.FromHours(-14));

    [Fact]
    public void Properties_ReturnWhatWasSet_OffsetsAndNullsIncluded()
    {
        var c = new Customer("c1", "a@example.test", "Ann", null, "en-US", "Asia/Kolkata", Signup, new DateOnly(1990, 2, 28), true, Consent, DateTimeOffset.MinValue);

        Assert.Equal(Signup, c.SignupAt);
        Assert.Equal(Signup.Offset, c.SignupAt!.Value.Offset);
        Assert.Equal(Signup.Ticks, c.SignupAt.Value.Ticks);
        Assert.Equal(Consent.Offset, c.ConsentAt!.Value.Offset);
        Assert.Equal(DateTimeOffset.MinValue, c.UnsubscribedAt);
        Assert.Equal(new DateOnly(1990, 2, 28), c.Birthday);

        var none = new Customer("c2", "b@example.test", null, null, "en-US", null, null, null, false, null);
        Assert.Null(none.SignupAt);
        Assert.Null(none.Birthday);
        Assert.Null(none.ConsentAt);
        Assert.Null(none.UnsubscribedAt);
        Assert.Equal(DateOnly.MinValue, (none with { Birthday = DateOnly.MinValue }).Birthday);
    }

    [Fact]
    public void With_ChangesOneInstant_AndClearsIt()
    {
        var c = new Customer("c1", "a@example.test", null, null, "en-US", null, Signup, null, true, Consent);

        var unsubscribed = c with { UnsubscribedAt = Consent.AddDays(1) };
        Assert.Equal(Consent.AddDays(1), unsubscribed.UnsubscribedAt);
        Assert.Equal(Consent.Offset, unsubscribed.UnsubscribedAt!.Value.Offset);
        Assert.Equal(Signup, unsubscribed.SignupAt);
        Assert.Null((unsubscribed with { UnsubscribedAt = null }).UnsubscribedAt);
        Assert.Null(c.UnsubscribedAt);
    }

    [Fact]
    public void Equality_IsThatOfTheProperties_AsARecordsWas()
    {
        var a = new Customer("c1", "a@example.test", null, null, "en-US", null, Signup, null, true, Consent);
        var b = new Customer("c1", "a@example.test", null, null, "en-US", null, Signup, null, true, Consent);
        // DateTimeOffset equality is by instant: the same instant in another offset is equal, as before.
        var sameInstant = a with { SignupAt = Signup.ToUniversalTime() };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a, sameInstant);
        Assert.Equal(a.GetHashCode(), sameInstant.GetHashCode());
        Assert.NotEqual(a, a with { ConsentAt = null });
        Assert.NotEqual(a, a with { Birthday = new DateOnly(2000, 1, 1) });
        Assert.NotEqual(a, a with { Email = "b@example.test" });
        Assert.False(a.Equals(null));
    }
}
