import pytest


@pytest.mark.django_db
def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.content == b"OK"
