"""Tutorial 001, section 3.5: linear regression trained with ``optim.SGD``.

Run: ``python examples/tutorials/linear_regression.py [plot.png]``.  The
program is the tutorial's, with ``import srcxform as torch``.  Note what
PyTorch really does with it: ``torch.matmul(X, w)`` with X of shape (100, 1)
and w of shape (1,) has shape (100,), so ``y_pred - y`` broadcasts to
(100, 100) and the loss compares every prediction with every target.  That
loss is minimal at w = 0, b = mean(y), not at the line the data came from,
so the printed w is near 0 and b creeps toward mean(y); srcxform, like
PyTorch, runs the program as written.  The plot is saved to a PNG only when
matplotlib is installed.
"""

import sys

import srcxform as torch
import srcxform.optim as optim


def main(plot_path: str | None = "linear_regression.png", verbose: bool = True) -> dict:
    # 1. data
    torch.manual_seed(42)
    X = torch.randn(100, 1) * 10
    y = 2 * X + 5 + torch.randn(100, 1)
    # 2. parameters
    w = torch.randn(1, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    start = (w.item(), b.item())
    # 3. hyper-parameters
    learning_rate = 0.01
    num_epochs = 100
    # 4. optimizer
    optimizer = optim.SGD([w, b], lr=learning_rate)
    # 5. training
    losses = []
    for epoch in range(num_epochs):
        y_pred = torch.matmul(X, w) + b
        loss = torch.mean((y_pred - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if verbose and (epoch + 1) % 10 == 0:
            print(f"Epoch {epoch+1}/{num_epochs}, Loss: {loss.item():.4f}")
    # 6. result
    print("Learned w:", w.item())
    print("Learned b:", b.item())
    # 7. plot, when matplotlib is available
    predicted_y = torch.matmul(X, w) + b
    saved = None
    if plot_path:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no plot")
        else:
            plt.scatter(X, y, label="Original Data")
            plt.plot(X, predicted_y.detach().numpy(), color="red", label="Regression Line")
            plt.xlabel("X")
            plt.ylabel("y")
            plt.title("Simple Linear Regression")
            plt.legend()
            plt.savefig(plot_path)
            plt.close()
            saved = plot_path
    return {"X": X.numpy(), "y": y.numpy(), "start": start, "w": w.item(), "b": b.item(),
            "losses": losses, "lr": learning_rate, "epochs": num_epochs, "plot": saved,
            "pred_shape": tuple(predicted_y.shape)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "linear_regression.png")
