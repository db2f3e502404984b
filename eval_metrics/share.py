"""The metric tools' share-image headlines, each read from its tool's JSON answer."""

from share_images.headline import Figure, Headline

from .charts import short_number as fmt


def samples(n: int) -> str:
    return f"{n:,} sample{'s' if n != 1 else ''}"


def regression(inputs: dict, result: dict) -> Headline:
    r2 = fmt(result["r2"]) if result["r2_defined"] else "undefined"
    figures = (
        Figure(fmt(result["mae"]), "MAE, mean absolute error"),
        Figure(fmt(result["rmse"]), "RMSE, root mean squared error"),
        Figure(r2, "R², against the mean predictor", spoken="R² (the mean predictor scores 0)"),
    )
    return Headline(figures=figures, inputs=(samples(result["n"]),))


def log_loss(inputs: dict, result: dict) -> Headline:
    bits = inputs["units"] == "bits"
    unit = "bits" if bits else "nats"
    loss = result["log_loss_bits"] if bits else result["log_loss"]
    baseline = result["baseline_log_loss_bits"] if bits else result["baseline_log_loss"]
    figures = (
        Figure(fmt(loss), f"log loss, {unit} per sample", spoken=f"{unit} of log loss per sample"),
        Figure(
            fmt(baseline),
            f"always predicting the base rate {fmt(result['base_rate'])}",
            spoken=f"{unit} for always predicting the base rate {fmt(result['base_rate'])}",
        ),
        Figure(fmt(result["brier"]), "Brier score", spoken="Brier score"),
    )
    positives = f"{result['positives']:,} positive"
    return Headline(figures=figures, inputs=(samples(result["n"]), positives, f"loss in {unit}"))


def roc_auc(inputs: dict, result: dict) -> Headline:
    figures = (
        Figure(fmt(result["auc"]), "AUC, area under the ROC curve"),
        Figure(fmt(result["gini"]), "Gini, 2 × AUC − 1"),
    )
    if inputs["mode"] == "scores":
        given = (
            f"{result['positives']:,} positives",
            f"{result['negatives']:,} negatives",
            "from labels and scores",
        )
    else:
        given = (f"ROC curve through {len(result['points']):,} points",)
    return Headline(figures=figures, inputs=given)


def threshold_cost(inputs: dict, result: dict) -> Headline:
    figures = [
        Figure(
            fmt(result["threshold"]),
            "threshold: predict positive at or above this probability",
            spoken="is the threshold: predict positive when the calibrated probability is at "
            "least that",
        ),
    ]
    if result["cost_ratio"] is not None:  # None when a false positive costs nothing
        figures.append(
            Figure(
                f"{fmt(result['cost_ratio'])}×", "a false negative’s cost over a false positive’s"
            )
        )
    curve = result["curve"]
    if curve:
        best = curve["best"]
        figures.append(
            Figure(
                f"{fmt(best['fpr'])}, {fmt(best['tpr'])}",
                "the cheapest ROC point (FPR, TPR)",
            )
        )
    given = [f"false positive costs {fmt(result['cost_fp'])}"]
    given.append(f"false negative costs {fmt(result['cost_fn'])}")
    if result["prevalence"] is not None:
        given.append(f"prevalence {fmt(result['prevalence'])}")
    return Headline(figures=tuple(figures), inputs=tuple(given))


def silhouette(inputs: dict, result: dict) -> Headline:
    if inputs["mode"] == "clusters":
        negative = result["negative"]
        figures = (
            Figure(fmt(result["silhouette"]), "mean silhouette"),
            Figure(f"{negative:,}", f"point{'s' if negative != 1 else ''} below 0"),
        )
        given = (f"{len(result['points']):,} points", f"{len(result['clusters']):,} clusters")
        return Headline(figures=figures, inputs=given)
    figures = (Figure(fmt(result["silhouette"]), "silhouette, (b − a) / max(a, b)"),)
    given = (
        f"a = {fmt(result['a'])}, mean distance to its own cluster",
        f"b = {fmt(result['b'])}, to the nearest other",
    )
    return Headline(figures=figures, inputs=given)
